import {
  type CallbackParams,
  CLOCK,
  type Clock,
  type ConnectionProblem,
  type ConnectionRef,
  type ConnectionSignal,
  createResilientFetch,
  type EarlyWarning,
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
  type StatusHint,
  type VerifiedWebhook,
} from '@reconnect-kit/core';
import Finch from '@tryfinch/finch-api';
import { inject, injectable } from 'tsyringe';
import { classifyFinchErrorFacts, readFinchErrorFacts } from './classify-error.js';
import { type FinchConfig, type FinchProduct, MAX_SESSION_MINUTES } from './config.js';
import { finchCompanyId, signalForIntrospection } from './introspection.js';
import { classifyFinchJob, parseFinchJobBody, parseFinchJobUrl, readFinchJob } from './job-results.js';
import { FINCH_CONFIG } from './tokens.js';
import { upstreamFailure } from './upstream-error.js';
import { parseFinchWebhook, signalForEntityEvent } from './webhook-events.js';
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

  /** An entity's `account.updated` is the connection's status only when the entity is the connection's company. */
  signalFor(event: ProviderEvent, connection: ConnectionRef): ConnectionSignal | undefined {
    return signalForEntityEvent(event, connection);
  }

  /**
   * An API error (SDK `APIError`, `Response`, `{ status, body }`), or a finished Finch job whose status is a
   * connection problem (`reauth_error`, `permissions_error`): Finch reports those in a 200 job body, not as errors.
   */
  classifyError(error: unknown): ConnectionProblem | undefined {
    const facts = readFinchErrorFacts(error, this.#clock.now());
    if (facts !== undefined) return classifyFinchErrorFacts(facts);
    const job = readFinchJob(error);
    return job === undefined ? undefined : classifyFinchJob(job);
  }

  /**
   * GET /introspect with the connection's token (connection status, then its entities). With a `hint` naming a
   * Finch job (a `job.*` webhook's `job_url`), the job is read first: a `reauth_error` or `permissions_error` outcome
   * is the answer. A classified error (reauth, disconnected, outage) is a status too.
   */
  async fetchStatus(connection: ProviderConnection, hint?: StatusHint): Promise<ProviderStatus> {
    const client = this.#clientFor(connection);
    const job = hint?.ref === undefined ? undefined : parseFinchJobUrl(hint.ref);
    if (job !== undefined) {
      const fromJob = await this.#jobStatus(client, job);
      if (fromJob !== undefined) return fromJob;
    }
    const checkedAt = this.#clock.now();
    let introspection: Awaited<ReturnType<Finch['account']['introspect']>>;
    try {
      introspection = await client.account.introspect();
    } catch (error) {
      return this.#statusFromError('GET /introspect', error, checkedAt);
    }
    const signal = signalForIntrospection(introspection);
    return { ...signal, upstreamParentId: finchCompanyId(introspection.company_id), checkedAt };
  }

  /** The status a finished job reports, or undefined when the job says nothing about the connection. */
  async #jobStatus(
    client: Finch,
    job: NonNullable<ReturnType<typeof parseFinchJobUrl>>,
  ): Promise<ProviderStatus | undefined> {
    const checkedAt = this.#clock.now();
    const operation = `GET /jobs/${job.kind}/{job_id}`;
    let body: unknown;
    try {
      body =
        job.kind === 'automated'
          ? await client.jobs.automated.retrieve(job.jobId)
          : await client.jobs.manual.retrieve(job.jobId);
    } catch (error) {
      if (readFinchErrorFacts(error)?.httpStatus === 429)
        throw upstreamFailure(operation, error, this.#clock.now());
      // The job read is extra information: only an answer about the connection itself (401 reauthenticate_user, a
      // disconnected token) settles it; anything else (an unknown job, no access to jobs, an outage) falls back to
      // /introspect.
      const problem = this.classifyError(error);
      if (problem === undefined || problem.state === 'degraded') return undefined;
      return { state: problem.state, vendor: problem.vendor, problem, checkedAt };
    }
    const problem = classifyFinchJob(parseFinchJobBody(job.kind, body));
    return problem === undefined
      ? undefined
      : { state: problem.state, vendor: problem.vendor, problem, checkedAt };
  }

  #statusFromError(operation: string, error: unknown, checkedAt: Date): ProviderStatus {
    // A rate-limited read says nothing about the connection: it surfaces (a sweep pauses) instead of degrading it.
    if (readFinchErrorFacts(error)?.httpStatus === 429)
      throw upstreamFailure(operation, error, this.#clock.now());
    const problem = this.classifyError(error);
    if (problem !== undefined) return { state: problem.state, vendor: problem.vendor, problem, checkedAt };
    throw upstreamFailure(operation, error, this.#clock.now());
  }

  async startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction> {
    const introspection = await this.#clientFor(connection)
      .account.introspect()
      .catch((error: unknown) => {
        throw upstreamFailure('GET /introspect', error, this.#clock.now());
      });
    const redirectUri = ctx.redirectUri ?? this.#config.redirectUri;
    const minutesToExpire = this.#config.minutesToExpire ?? minutesUntil(ctx.now, ctx.expiresAt);
    const session = await this.#client.connect.sessions
      .reauthenticate({
        connection_id: introspection.connection_id,
        redirect_uri: redirectUri,
        minutes_to_expire: minutesToExpire,
        ...(this.#config.products === undefined ? {} : { products: this.#config.products }),
      })
      .catch((error: unknown) => {
        throw upstreamFailure('POST /connect/sessions/reauthenticate', error, this.#clock.now());
      });
    const sessionExpiresAt = ctx.now.getTime() + minutesToExpire * MS_PER_MINUTE;
    const expiresAt = new Date(Math.min(sessionExpiresAt, ctx.expiresAt.getTime()));
    return {
      kind: 'redirect',
      url: withState(session.connect_url, ctx.state),
      state: ctx.state,
      expiresAt,
      ...(expiresAt.getTime() - ctx.now.getTime() >= LONG_LIVED_LINK_MS
        ? { warning: linkExpiryWarning(session.session_id, expiresAt) }
        : {}),
    };
  }

  /**
   * Opens a Finch Connect session for a NEW connection (a first connection, or "connect again" after a revoked
   * or disconnected one): `POST /connect/sessions` for the host's customer. Finch allows one live connection per
   * customer; when one exists it answers `400 connection_already_exists` naming it, and this re-authenticates that
   * live connection instead (`POST /connect/sessions/reauthenticate`), saying so in `message`. Either way the
   * callback's code is exchanged as usual; the token then names the connection the employer ended up in.
   * `expiresAt` is when the Connect link dies (Finch's defaults: 90 days for new sessions, 30 for
   * re-authentication), so the host can warn before then.
   */
  async openConnectSession(request: FinchConnectSessionRequest): Promise<FinchConnectSession> {
    const now = this.#clock.now();
    const redirectUri = request.redirectUri ?? this.#config.redirectUri;
    const products = request.products ?? this.#config.products ?? DEFAULT_NEW_CONNECTION_PRODUCTS;
    const minutes = request.minutesToExpire ?? NEW_SESSION_DEFAULT_MINUTES;
    try {
      const session = await this.#client.connect.sessions.new({
        customer_id: request.customerId,
        customer_name: request.customerName,
        products: [...products],
        redirect_uri: redirectUri,
        minutes_to_expire: minutes,
        ...(request.customerEmail === undefined ? {} : { customer_email: request.customerEmail }),
        ...(request.sandbox === undefined ? {} : { sandbox: request.sandbox }),
        ...(request.providerId === undefined ? {} : { integration: { provider: request.providerId } }),
      });
      return {
        kind: 'new_connection',
        sessionId: session.session_id,
        url: withState(session.connect_url, request.state),
        expiresAt: new Date(now.getTime() + minutes * MS_PER_MINUTE),
      };
    } catch (error) {
      const facts = readFinchErrorFacts(error);
      const liveConnectionId = facts?.context?.connection_id;
      if (facts?.finchCode !== 'connection_already_exists') {
        throw upstreamFailure('POST /connect/sessions', error, this.#clock.now());
      }
      if (typeof liveConnectionId !== 'string' || liveConnectionId === '') {
        throw new ReconnectKitError('upstream_error', {
          message:
            'Finch says this customer already has a connection (connection_already_exists) but did not name it; re-authenticate that connection instead of creating a new one.',
          cause: error,
          details: { operation: 'POST /connect/sessions', finchCode: 'connection_already_exists' },
        });
      }
      const reauthMinutes = Math.min(request.minutesToExpire ?? MAX_SESSION_MINUTES, MAX_SESSION_MINUTES);
      const session = await this.#client.connect.sessions
        .reauthenticate({
          connection_id: liveConnectionId,
          redirect_uri: redirectUri,
          minutes_to_expire: reauthMinutes,
          ...(request.products === undefined ? {} : { products: [...request.products] }),
        })
        .catch((reauthError: unknown) => {
          throw upstreamFailure('POST /connect/sessions/reauthenticate', reauthError, this.#clock.now());
        });
      return {
        kind: 'reauthenticate',
        sessionId: session.session_id,
        url: withState(session.connect_url, request.state),
        expiresAt: new Date(now.getTime() + reauthMinutes * MS_PER_MINUTE),
        connectionId: liveConnectionId,
        message: `This customer already has a live Finch connection (${liveConnectionId}); Finch allows one per customer, so Finch Connect re-authenticates it instead of creating another.`,
      };
    }
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
        throw upstreamFailure('POST /auth/token', error, this.#clock.now());
      });
    return {
      outcome: 'completed',
      upstreamId: token.connection_id,
      upstreamParentId: finchCompanyId(token.company_id),
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
      throw upstreamFailure('POST /disconnect', error, this.#clock.now());
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

/**
 * A Connect link that lives at least this long is one the employer may open days later (from an email, say): its
 * deadline is reported as an early warning. Shorter links are used right away, and the action's `expiresAt` says it.
 */
const LONG_LIVED_LINK_MS = 24 * 60 * MS_PER_MINUTE;

function linkExpiryWarning(sessionId: string, deadline: Date): EarlyWarning {
  return {
    code: 'connect_link_expiring',
    deadline,
    reason: `Your Finch Connect link works until ${deadline.toISOString().slice(0, 10)} (UTC). Reconnect before then, or ask for a new link.`,
    vendor: { status: 'session_open', code: null, message: `Connect session ${sessionId}` },
  };
}

/** What a new connection asks for when neither the request nor the config names products. */
const DEFAULT_NEW_CONNECTION_PRODUCTS: readonly FinchProduct[] = [
  'company',
  'directory',
  'individual',
  'employment',
  'payment',
  'pay_statement',
];

/** Finch's default lifetime of a new Connect session (and its ceiling): 90 days. */
export const NEW_SESSION_DEFAULT_MINUTES = 129_600;

/** What `openConnectSession` needs: the host's customer (one Finch connection per customer) and the Connect options. */
export interface FinchConnectSessionRequest {
  /** The host's id for the employer (Finch `customer_id`, 1–255 chars); successors are matched by it. */
  readonly customerId: string;
  readonly customerName: string;
  readonly customerEmail?: string | undefined;
  /** Default: the config's `products`, else company, directory, individual, employment, payment, pay_statement. */
  readonly products?: readonly FinchProduct[] | undefined;
  /** Default: the config's `redirectUri` (the code exchange always uses that one). */
  readonly redirectUri?: string | undefined;
  /** Appended to the Connect URL; Connect echoes it on the redirect. */
  readonly state?: string | undefined;
  /** Session lifetime; default Finch's (90 days new, 30 days re-authentication, the latter's ceiling). */
  readonly minutesToExpire?: number | undefined;
  readonly sandbox?: 'finch' | 'provider' | undefined;
  /**
   * The payroll provider to open Connect on (Finch `integration.provider`, e.g. the old connection's `provider_id`
   * metadata), so the employer skips the provider picker. Omitted: Connect shows the picker.
   */
  readonly providerId?: string | undefined;
}

export type FinchConnectSession =
  | {
      readonly kind: 'new_connection';
      readonly sessionId: string;
      readonly url: string;
      /** When the Connect link dies. */
      readonly expiresAt: Date;
    }
  | {
      /** The customer already had a live connection: this session re-authenticates it. */
      readonly kind: 'reauthenticate';
      readonly sessionId: string;
      readonly url: string;
      readonly expiresAt: Date;
      /** Finch's id of the live connection being re-authenticated. */
      readonly connectionId: string;
      /** Plain words for the host to show. */
      readonly message: string;
    };

function withState(connectUrl: string, state: string | undefined): string {
  if (state === undefined) return connectUrl;
  const url = new URL(connectUrl);
  url.searchParams.set('state', state);
  return url.toString();
}

/** A reauth session that lives as long as the reconnect state, within Finch's limits. */
function minutesUntil(now: Date, until: Date): number {
  const minutes = Math.ceil((until.getTime() - now.getTime()) / MS_PER_MINUTE);
  return Math.min(Math.max(minutes, 1), MAX_SESSION_MINUTES);
}
