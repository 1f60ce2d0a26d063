import {
  type CallbackParams,
  CLOCK,
  type Clock,
  type ConnectionProblem,
  createResilientFetch,
  HTTP_FETCH,
  type HttpFetch,
  type ProviderCapabilities,
  type ProviderConnection,
  type ProviderEvent,
  type ProviderStatus,
  type ReconnectAction,
  type ReconnectionProvider,
  ReconnectKitError,
  type ReconnectResult,
  type StartContext,
  type VerifiedWebhook,
} from '@reconnect-kit/core';
import Finch from '@tryfinch/finch-api';
import { inject, injectable } from 'tsyringe';
import { classifyFinchErrorFacts, readFinchErrorFacts } from './classify-error.js';
import { type FinchConfig, MAX_SESSION_MINUTES } from './config.js';
import { signalForFinchStatus } from './status-table.js';
import { FINCH_CONFIG } from './tokens.js';
import { upstreamFailure } from './upstream-error.js';
import { parseFinchWebhook } from './webhook-events.js';
import { verifyFinchSignature } from './webhook-signature.js';

export const FINCH_PROVIDER_ID = 'finch';
/** The connection secret that holds the Finch access token. */
export const FINCH_ACCESS_TOKEN_SECRET = 'access_token';

const MS_PER_MINUTE = 60_000;

@injectable()
export class FinchProvider implements ReconnectionProvider {
  readonly id = FINCH_PROVIDER_ID;
  readonly capabilities: ProviderCapabilities = {
    webhooks: true,
    statusPolling: true,
    errorClassification: true,
    oneClickReconnect: false,
    redirectReconnect: true,
    inviteResend: false,
    revocation: true,
  };
  /** What stops working in the host app until the employer reconnects (core's notifications fall back to it). */
  readonly impact: readonly string[] | undefined;

  // Private fields: never part of JSON.stringify or util.inspect output.
  readonly #config: FinchConfig;
  readonly #clock: Clock;
  readonly #client: Finch;
  /** For the authorization-code exchange only: a timeout, never a retry. */
  readonly #exchangeClient: Finch;
  readonly #webhookSecrets: readonly string[];

  constructor(
    @inject(FINCH_CONFIG) config: FinchConfig,
    @inject(HTTP_FETCH) httpFetch: HttpFetch,
    @inject(CLOCK) clock: Clock,
  ) {
    this.#config = config;
    this.#clock = clock;
    this.impact = config.impact;
    this.#webhookSecrets =
      typeof config.webhookSecret === 'string' ? [config.webhookSecret] : config.webhookSecret;
    // Retries run in the resilient fetch, on the injected clock (the SDK's own would sleep on real timers), so the
    // SDK makes one attempt. See "Provider calls and sweeps" in docs/operations.md.
    const sdkClient = (maxAttempts: number) =>
      new Finch({
        clientID: config.clientId,
        clientSecret: config.clientSecret,
        baseURL: config.baseUrl,
        maxRetries: 0,
        fetch: createResilientFetch(httpFetch, { clock, retry: { maxAttempts } }),
        // The SDK otherwise falls back to FINCH_* environment variables; this adapter is configured explicitly.
        webhookSecret: null,
        accessToken: null,
      });
    this.#client = sdkClient(config.maxRetries + 1);
    this.#exchangeClient = sdkClient(1);
  }

  verifyWebhook(rawBody: Uint8Array, headers: Headers, now: Date): VerifiedWebhook {
    const { eventId } = verifyFinchSignature(rawBody, headers, now, this.#webhookSecrets);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch {
      throw new ReconnectKitError('webhook_payload_invalid', {
        message: 'The Finch webhook body is not JSON.',
        details: { eventId },
      });
    }
    return { provider: this.id, rawBody, headers, body, vendorEventId: eventId, receivedAt: now };
  }

  parseWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
    return parseFinchWebhook(webhook);
  }

  classifyError(error: unknown): ConnectionProblem | undefined {
    const facts = readFinchErrorFacts(error);
    return facts === undefined ? undefined : classifyFinchErrorFacts(facts);
  }

  /** GET /introspect with the connection's token. A classified error (reauth, disconnected, outage) is a status too. */
  async fetchStatus(connection: ProviderConnection): Promise<ProviderStatus> {
    const checkedAt = this.#clock.now();
    let introspection: Awaited<ReturnType<Finch['account']['introspect']>>;
    try {
      introspection = await this.#clientFor(connection).account.introspect();
    } catch (error) {
      // A rate-limited read says nothing about the connection: it surfaces (a sweep pauses) instead of degrading it.
      if (readFinchErrorFacts(error)?.httpStatus === 429) throw upstreamFailure('GET /introspect', error);
      const problem = this.classifyError(error);
      if (problem !== undefined) return { state: problem.state, vendor: problem.vendor, problem, checkedAt };
      throw upstreamFailure('GET /introspect', error);
    }
    const { status, message } = introspection.connection_status;
    const signal = signalForFinchStatus({ status, code: null, message: message ?? null });
    if (signal === undefined) {
      throw new ReconnectKitError('upstream_error', {
        message: 'Finch /introspect returned an undocumented connection status.',
        details: { status },
      });
    }
    return { ...signal, upstreamParentId: introspection.company_id, checkedAt };
  }

  async startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction> {
    const introspection = await this.#clientFor(connection)
      .account.introspect()
      .catch((error: unknown) => {
        throw upstreamFailure('GET /introspect', error);
      });
    const redirectUri = ctx.redirectUri ?? this.#config.redirectUri;
    if (this.#config.reconnectMode === 'authorize_url') {
      const url = new URL(`${this.#config.connectUrl.replace(/\/+$/, '')}/authorize`);
      url.searchParams.set('client_id', this.#config.clientId);
      url.searchParams.set('products', (this.#config.products ?? introspection.products).join(' '));
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', ctx.state);
      // Skips Connect's provider picker: the employer goes straight to their payroll system's login.
      url.searchParams.set('payroll_provider', introspection.provider_id);
      return { kind: 'redirect', url: url.toString(), state: ctx.state, expiresAt: ctx.expiresAt };
    }
    const minutesToExpire = this.#config.minutesToExpire ?? minutesUntil(ctx.now, ctx.expiresAt);
    const session = await this.#client.connect.sessions
      .reauthenticate({
        connection_id: introspection.connection_id,
        redirect_uri: redirectUri,
        minutes_to_expire: minutesToExpire,
        ...(this.#config.products === undefined ? {} : { products: this.#config.products }),
      })
      .catch((error: unknown) => {
        throw upstreamFailure('POST /connect/sessions/reauthenticate', error);
      });
    const url = new URL(session.connect_url);
    url.searchParams.set('state', ctx.state);
    const sessionExpiresAt = ctx.now.getTime() + minutesToExpire * MS_PER_MINUTE;
    return {
      kind: 'redirect',
      url: url.toString(),
      state: ctx.state,
      expiresAt: new Date(Math.min(sessionExpiresAt, ctx.expiresAt.getTime())),
    };
  }

  /**
   * Exchanges the code exactly once: never retried, not even on 429 (Finch does not say whether a refused exchange
   * used the code up); the user starts the reconnect again instead.
   */
  async completeReconnection(
    _connection: ProviderConnection,
    callback: CallbackParams,
  ): Promise<ReconnectResult> {
    const code = callback.code;
    if (code === undefined || code === '') {
      throw new ReconnectKitError('reconnect_code_invalid', {
        message: 'The Finch Connect callback carries no authorization code.',
      });
    }
    const token = await this.#exchangeClient.accessTokens
      .create({ code, redirect_uri: this.#config.redirectUri })
      .catch((error: unknown) => {
        const facts = readFinchErrorFacts(error);
        if (
          facts?.httpStatus === 400 &&
          (facts.name === 'invalid_grant_error' || facts.finchCode === 'invalid_grant')
        ) {
          throw new ReconnectKitError('reconnect_code_invalid', {
            message:
              'Finch rejected the authorization code (invalid_grant_error): it is unknown, used, expired, or for another redirect URI.',
            cause: error,
            details: { httpStatus: 400, name: facts.name },
          });
        }
        throw upstreamFailure('POST /auth/token', error);
      });
    return {
      outcome: 'completed',
      upstreamId: token.connection_id,
      upstreamParentId: token.company_id,
      secrets: { [FINCH_ACCESS_TOKEN_SECRET]: token.access_token },
      vendor: { status: 'connected', code: null, message: null },
      state: 'connected',
      metadata: { provider_id: token.provider_id, products: token.products.join(' ') },
    };
  }

  /** POST /disconnect. A token Finch no longer knows means the connection is already gone: done. */
  async revoke(connection: ProviderConnection): Promise<void> {
    try {
      await this.#clientFor(connection).account.disconnect();
    } catch (error) {
      if (this.classifyError(error)?.state === 'revoked') return;
      throw upstreamFailure('POST /disconnect', error);
    }
  }

  #clientFor(connection: ProviderConnection): Finch {
    const accessToken = connection.secrets[FINCH_ACCESS_TOKEN_SECRET];
    if (accessToken === undefined || accessToken === '') {
      throw new ReconnectKitError('invalid_input', {
        message: `The Finch connection has no "${FINCH_ACCESS_TOKEN_SECRET}" secret.`,
        details: { connectionId: connection.id },
      });
    }
    return this.#client.withAccessToken(accessToken);
  }
}

/** A reauth session that lives as long as the reconnect state, within Finch's limits. */
function minutesUntil(now: Date, until: Date): number {
  const minutes = Math.ceil((until.getTime() - now.getTime()) / MS_PER_MINUTE);
  return Math.min(Math.max(minutes, 1), MAX_SESSION_MINUTES);
}
