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
import { Configuration, type CountryCode, PlaidApi } from 'plaid';
import { inject, injectable } from 'tsyringe';
import type { PlaidConfig } from './config.js';
import { problemForPlaidError, readPlaidErrorFacts } from './item-errors.js';
import { PLAID_CONFIG } from './tokens.js';
import { upstreamFailure } from './upstream-error.js';
import { PlaidWebhookVerifier } from './webhook-verification.js';
import { consentExpiring, PLAID_PROVIDER_ID, parsePlaidWebhook } from './webhooks.js';

export { PLAID_PROVIDER_ID } from './webhooks.js';
/** The connection secret that holds the Item's access token. */
export const PLAID_ACCESS_TOKEN_SECRET = 'access_token';
/** The API version this adapter speaks (sent as `Plaid-Version`). */
export const PLAID_API_VERSION = '2020-09-14';

/**
 * The Plaid adapter, on the official `plaid` SDK. A connection is an Item: `upstreamId` is the `item_id`, the
 * `access_token` is its secret. Reconnecting is Link's update mode, which repairs the SAME Item (same access token,
 * Item id and account ids): the host sends the user to the `hosted_link_url`, hosted Link sends them back to the
 * callback, and `/item/get` confirms the repair.
 */
@injectable()
export class PlaidProvider implements ReconnectionProvider {
  readonly id = PLAID_PROVIDER_ID;
  readonly capabilities: ProviderCapabilities = {
    webhooks: true,
    statusPolling: true,
    errorClassification: true,
    oneClickReconnect: false,
    redirectReconnect: true,
    inviteResend: false,
    revocation: true,
    // The parent, when there is one, is the Plaid user the host created (`/user/create`) for one of its own users.
    parentIsHostUser: true,
  };
  /** What stops working in the host app until the user reconnects (core's notifications fall back to it). */
  readonly impact: readonly string[] | undefined;
  // Private fields: never part of JSON.stringify or util.inspect output (they hold the secret).
  readonly #config: PlaidConfig;
  readonly #clock: Clock;
  readonly #client: PlaidApi;
  readonly #verifier: PlaidWebhookVerifier;

  constructor(
    @inject(PLAID_CONFIG) config: PlaidConfig,
    @inject(HTTP_FETCH) httpFetch: HttpFetch,
    @inject(CLOCK) clock: Clock,
  ) {
    this.#config = config;
    this.#clock = clock;
    this.impact = config.impact;
    // The SDK's axios runs on the injected fetch through core's resilient fetch (timeouts, retries, Retry-After).
    const fetch = createResilientFetch(httpFetch, { clock, retry: { maxAttempts: config.maxRetries + 1 } });
    this.#client = new PlaidApi(
      new Configuration({
        basePath: config.baseUrl,
        baseOptions: {
          adapter: 'fetch',
          env: { fetch },
          headers: {
            'PLAID-CLIENT-ID': config.clientId,
            'PLAID-SECRET': config.secret,
            'Plaid-Version': PLAID_API_VERSION,
          },
        },
      }),
    );
    this.#verifier = new PlaidWebhookVerifier(async (kid) => {
      try {
        return (await this.#client.webhookVerificationKeyGet({ key_id: kid })).data.key;
      } catch (error) {
        if (readPlaidErrorFacts(error)?.errorCode === 'INVALID_WEBHOOK_VERIFICATION_KEY_ID') return undefined;
        throw upstreamFailure('/webhook_verification_key/get', error);
      }
    }, config.webhookKeyCacheMs);
  }

  async verifyWebhook(rawBody: Uint8Array, headers: Headers, now: Date): Promise<VerifiedWebhook> {
    await this.#verifier.verify(rawBody, headers, now);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch {
      throw new ReconnectKitError('webhook_payload_invalid', {
        message: 'The Plaid webhook body is not JSON.',
      });
    }
    return { provider: this.id, rawBody, headers, body, receivedAt: now };
  }

  parseWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
    return parsePlaidWebhook(webhook);
  }

  classifyError(error: unknown): ConnectionProblem | undefined {
    const facts = readPlaidErrorFacts(error, this.#clock.now());
    return facts === undefined ? undefined : problemForPlaidError(facts);
  }

  /** `/item/get`: the Item's own `error` is its status; an Item Plaid no longer knows is revoked. */
  async fetchStatus(connection: ProviderConnection): Promise<ProviderStatus> {
    const checkedAt = this.#clock.now();
    let item: Awaited<ReturnType<PlaidApi['itemGet']>>['data']['item'];
    try {
      item = (await this.#client.itemGet({ access_token: accessToken(connection) })).data.item;
    } catch (error) {
      const facts = readPlaidErrorFacts(error, checkedAt);
      const problem = facts && facts.httpStatus !== 429 ? problemForPlaidError(facts) : undefined;
      if (problem) return { state: problem.state, vendor: problem.vendor, problem, checkedAt };
      throw upstreamFailure('/item/get', error);
    }
    if (item.error) {
      const problem = problemForPlaidError({
        errorType: item.error.error_type,
        errorCode: item.error.error_code,
        message: item.error.error_message,
      });
      if (problem) return { state: problem.state, vendor: problem.vendor, problem, checkedAt };
    }
    // A consent that ends in the future is an early warning; without one, /item/get cannot tell (PENDING_DISCONNECT
    // has no field there), so the read says nothing about warnings rather than `null`.
    const consentEnds = item.consent_expiration_time ? new Date(item.consent_expiration_time) : undefined;
    const warning =
      consentEnds && consentEnds > checkedAt
        ? consentExpiring(consentEnds, 'consent_expiration_time')
        : undefined;
    return {
      state: 'connected',
      vendor: { status: 'ITEM', code: item.error?.error_code ?? null, message: null },
      checkedAt,
      ...(warning ? { warning } : {}),
    };
  }

  /**
   * Update mode: a link token created with the Item's access token and `hosted_link`, whose completion redirect
   * is the host callback carrying the signed `state`. The user lands on the same Item; nothing is exchanged. The
   * action is the hosted page (`redirect`) or, with `reconnectAction: 'widget'`, the link token for Plaid Link in the
   * host's page (the hosted page as its `url`).
   */
  async startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction> {
    const completion = new URL(ctx.redirectUri ?? this.#config.redirectUri);
    completion.searchParams.set('state', ctx.state);
    const { data } = await this.#client
      .linkTokenCreate({
        user: { client_user_id: connection.hostUserId },
        client_name: this.#config.clientName,
        country_codes: this.#config.countryCodes as CountryCode[],
        language: this.#config.language,
        access_token: accessToken(connection),
        ...(this.#config.webhookUrl === undefined ? {} : { webhook: this.#config.webhookUrl }),
        hosted_link: { completion_redirect_uri: completion.toString() },
      })
      .catch((error: unknown) => {
        throw upstreamFailure('/link/token/create', error);
      });
    if (!data.hosted_link_url) {
      throw new ReconnectKitError('upstream_error', {
        message: 'Plaid /link/token/create answered without a hosted_link_url.',
      });
    }
    const linkExpiresAt = Date.parse(data.expiration);
    const expiresAt = new Date(
      Math.min(
        ctx.expiresAt.getTime(),
        Number.isFinite(linkExpiresAt) ? linkExpiresAt : Number.POSITIVE_INFINITY,
      ),
    );
    if (this.#config.reconnectAction === 'widget') {
      return {
        kind: 'widget',
        provider: this.id,
        config: { linkToken: data.link_token },
        mode: 'reenter_credentials',
        url: data.hosted_link_url,
        state: ctx.state,
        expiresAt,
      };
    }
    return { kind: 'redirect', url: data.hosted_link_url, state: ctx.state, expiresAt };
  }

  /**
   * The callback only says the user came back; `/item/get` says whether the Item works again. Update mode keeps
   * the access token, so no secret changes.
   */
  async completeReconnection(
    connection: ProviderConnection,
    _callback: CallbackParams,
  ): Promise<ReconnectResult> {
    const status = await this.fetchStatus(connection);
    if (status.problem) return { outcome: 'failed', problem: status.problem };
    return {
      outcome: 'completed',
      upstreamId: connection.upstreamId,
      vendor: status.vendor,
      state: status.state,
    };
  }

  /** `/item/remove`; an Item Plaid no longer knows is already gone. */
  async revoke(connection: ProviderConnection): Promise<void> {
    try {
      await this.#client.itemRemove({ access_token: accessToken(connection) });
    } catch (error) {
      if (readPlaidErrorFacts(error)?.errorCode === 'ITEM_NOT_FOUND') return;
      throw upstreamFailure('/item/remove', error);
    }
  }
}

function accessToken(connection: ProviderConnection): string {
  const token = connection.secrets[PLAID_ACCESS_TOKEN_SECRET];
  if (!token) {
    throw new ReconnectKitError('invalid_input', {
      message: `The Plaid connection has no ${PLAID_ACCESS_TOKEN_SECRET} secret; register it with the Item's access token.`,
    });
  }
  return token;
}
