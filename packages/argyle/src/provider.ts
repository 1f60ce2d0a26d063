import {
  type CallbackParams,
  CLOCK,
  type Clock,
  type ConnectionProblem,
  createResilientFetch,
  HTTP_FETCH,
  type HttpFetch,
  isReconnectKitError,
  type ProviderCapabilities,
  type ProviderConnection,
  type ProviderEvent,
  type ProviderStatus,
  parseRetryAfter,
  type ReconnectAction,
  type ReconnectionProvider,
  ReconnectKitError,
  type ReconnectResult,
  type StartContext,
  type VerifiedWebhook,
} from '@reconnect-kit/core';
import { inject, injectable } from 'tsyringe';
import { z } from 'zod';
import type { ResolvedArgyleConfig } from './config.js';
import { type ArgyleAccount, accountSchema } from './generated/account.js';
import { type ArgyleInvite, inviteSchema } from './generated/invite.js';
import { type ArgyleUser, userSchema } from './generated/user.js';
import { type ArgyleUserToken, userTokenSchema } from './generated/user-token.js';
import { ArgyleHttpClient } from './http.js';
import { ARGYLE_SIGNATURE_HEADER, isValidArgyleSignature } from './signature.js';
import { mapConnection, removedAccount } from './status-map.js';
import { ARGYLE_CONFIG } from './tokens.js';
import { ARGYLE_PROVIDER_ID, parseArgyleWebhook } from './webhooks.js';

const account = z.fromJSONSchema(accountSchema) as z.ZodType<ArgyleAccount>;
const invite = z.fromJSONSchema(inviteSchema) as z.ZodType<ArgyleInvite>;
const userToken = z.fromJSONSchema(userTokenSchema) as z.ZodType<ArgyleUserToken>;
const user = z.fromJSONSchema(userSchema) as z.ZodType<ArgyleUser>;

/** Argyle user tokens live one hour. */
const USER_TOKEN_TTL_MS = 60 * 60 * 1000;

/** Non-secret connection metadata keys this adapter reads (set them at `registerConnection`). */
export const ARGYLE_METADATA = {
  /** The user came through an Argyle invite: reconnect = re-send this invite, never a new one. */
  inviteId: 'invite_id',
  /**
   * The user came through a shareable URL: reconnect = send them the same URL again (the key is configurable,
   * see `shareableUrls`; this is the default).
   */
  shareableUrl: 'shareable_url',
} as const;

@injectable()
export class ArgyleProvider implements ReconnectionProvider {
  readonly id = ARGYLE_PROVIDER_ID;
  readonly capabilities: ProviderCapabilities = {
    webhooks: true,
    statusPolling: true,
    errorClassification: true,
    oneClickReconnect: true,
    redirectReconnect: false,
    inviteResend: true,
    revocation: true,
    // The parent is the Argyle user the host created for one of its users: successors under it are that user's.
    parentIsHostUser: true,
  };
  readonly #config: ResolvedArgyleConfig;
  readonly #clock: Clock;
  readonly #http: ArgyleHttpClient;

  constructor(
    @inject(ARGYLE_CONFIG) config: ResolvedArgyleConfig,
    @inject(HTTP_FETCH) fetchImpl: HttpFetch,
    @inject(CLOCK) clock: Clock,
  ) {
    this.#config = config;
    this.#clock = clock;
    // Timeouts and retries (429, 5xx, network) on the injected clock; see "Provider calls and sweeps" in docs/operations.md.
    const resilientFetch = createResilientFetch(fetchImpl, {
      clock,
      retry: { maxAttempts: config.maxRetries + 1 },
    });
    this.#http = new ArgyleHttpClient(config, resilientFetch, clock);
  }

  /** What stops working while a connection is broken (from the config); core's notifications fall back to it. */
  get impact(): readonly string[] | undefined {
    return this.#config.impact;
  }

  verifyWebhook(rawBody: Uint8Array, headers: Headers, now: Date): VerifiedWebhook {
    // Argyle signs only the body: there is no timestamp, so no replay window; dedupe covers redelivery.
    if (!isValidArgyleSignature(rawBody, headers.get(ARGYLE_SIGNATURE_HEADER), this.#config.webhookSecrets)) {
      throw new ReconnectKitError('webhook_signature_invalid', {
        message: 'The X-Argyle-Signature header is missing or does not match the body.',
      });
    }
    let body: unknown;
    try {
      // A view of the bytes, not a copy.
      body = JSON.parse(Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8'));
    } catch (cause) {
      throw new ReconnectKitError('webhook_payload_invalid', {
        message: 'The Argyle webhook body is not JSON.',
        cause,
      });
    }
    return { provider: this.id, rawBody, headers, body, receivedAt: now };
  }

  parseWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
    return parseArgyleWebhook(webhook);
  }

  /**
   * Only vendor answers that say something about the connection are problems: 429 and 5xx (or no answer) put it
   * in `degraded` (wait). A 401/403 means OUR API key is wrong or for the other environment: an operator problem,
   * not the user's, so no connection is marked broken (the error still reaches the host). Reads this adapter's
   * errors and raw `Response`s from the host's own Argyle calls.
   */
  classifyError(error: unknown): ConnectionProblem | undefined {
    const answer = this.#vendorAnswer(error);
    if (!answer) return undefined;
    const { status, retryAfterMs } = answer;
    if (status !== undefined && status !== 429 && status < 500) return undefined;
    return {
      state: 'degraded',
      vendor: { status: status === undefined ? 'unreachable' : `http_${status}`, code: null, message: null },
      reason: 'Our payroll data partner is busy or unreachable. We will retry automatically.',
      fix: 'wait',
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }

  #vendorAnswer(error: unknown): { status?: number; retryAfterMs?: number } | undefined {
    if (error instanceof Response) {
      const retryAfterMs = parseRetryAfter(error.headers, this.#clock.now());
      return { status: error.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    if (!isReconnectKitError(error)) return undefined;
    if (error.code !== 'upstream_rate_limited' && error.code !== 'upstream_unavailable') return undefined;
    const { status, retryAfterMs } = error.details;
    return {
      ...(typeof status === 'number' ? { status } : {}),
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    };
  }

  /** `GET /v2/accounts/{id}`; a 404 means the account was deleted or revoked (terminal). */
  async fetchStatus(connection: ProviderConnection): Promise<ProviderStatus> {
    const found = await this.#readAccount(connection.upstreamId);
    const checkedAt = this.#clock.now();
    if (!found) return { ...removedAccount('not_found'), checkedAt };
    return { ...mapConnection(found.connection), upstreamParentId: found.user, checkedAt };
  }

  /**
   * Sends the user back through Argyle's own flow for the EXISTING user and account, so no duplicate is made:
   * invite users get their invite re-sent, shareable-URL users a `redirect` to their URL (where the host recorded
   * it, see `shareableUrls`), embedded-Link users a fresh user token
   * for `accountId`: mode `reenter_credentials` when the account needs credentials (Link shows the login form),
   * otherwise `one_click` (Link shows the account with its Reconnect button).
   */
  async startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction> {
    const inviteId = connection.metadata[ARGYLE_METADATA.inviteId];
    if (inviteId) {
      const resent = await this.#http.json('POST', `/invites/${encodeURIComponent(inviteId)}`, invite);
      return { kind: 'resend_invite', inviteId: resent.id, url: resent.url };
    }
    const shareableUrl = await this.#shareableUrl(connection);
    // The URL never expires; the attempt (and its state, which Argyle's hosted Link does not carry) does.
    if (shareableUrl)
      return { kind: 'redirect', url: shareableUrl, state: ctx.state, expiresAt: ctx.expiresAt };

    const current = await this.#readAccount(connection.upstreamId);
    if (!current) {
      throw new ReconnectKitError('connection_terminal', {
        message: 'The Argyle account no longer exists; connect again instead.',
        details: { upstreamId: connection.upstreamId },
      });
    }
    const token = await this.#http.json('POST', '/user-tokens', userToken, { user: current.user });
    return {
      kind: 'widget',
      provider: this.id,
      // What Argyle Link's SDK is opened with for this account.
      config: { userToken: token.user_token, accountId: current.id },
      mode:
        mapConnection(current.connection).state === 'needs_credentials' ? 'reenter_credentials' : 'one_click',
      expiresAt: new Date(ctx.now.getTime() + USER_TOKEN_TTL_MS),
      url: this.#linkUrl(token.user_token, current.id, ctx),
      state: ctx.state,
    };
  }

  /**
   * Argyle confirms by webhook (`accounts.connected`); this reads the account Link's callback names so the host
   * gets an answer now. The callback's `account_id` (default: the connection's own account) is a claim from the
   * browser: it is looked up only among the accounts of the connection's own Argyle user
   * (`GET /v2/accounts?user=…`), so an unknown account or another user's is `unconfirmed` and never read on its
   * own. The callback's `user_id` is not consulted: the connection already names its user, and comparing a
   * caller-chosen id with it would tell the caller whether it guessed right.
   */
  async completeReconnection(
    connection: ProviderConnection,
    callback: CallbackParams,
  ): Promise<ReconnectResult> {
    const user = connection.upstreamParentId ?? (await this.#readAccount(connection.upstreamId))?.user;
    if (!user) return { outcome: 'unconfirmed' };
    const accountId = callback.account_id || connection.upstreamId;
    const found = (await this.listAccounts(user)).find((a) => a.id === accountId && a.user === user);
    if (!found) return { outcome: 'unconfirmed' };
    const mapped = mapConnection(found.connection);
    if (mapped.problem) return { outcome: 'failed', problem: mapped.problem };
    if (mapped.state !== 'connected') return { outcome: 'pending' };
    return {
      outcome: 'completed',
      upstreamId: found.id,
      upstreamParentId: found.user,
      vendor: mapped.vendor,
      state: 'connected',
    };
  }

  /** `DELETE /v2/accounts/{id}` (204). Already gone (404) counts as done. */
  async revoke(connection: ProviderConnection): Promise<void> {
    try {
      await this.#http.empty('DELETE', accountPath(connection.upstreamId));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Every account (of one user, when given), following Argyle's pagination. For reconciliation jobs. */
  listAccounts(userId?: string): Promise<ArgyleAccount[]> {
    return this.#http.list(userId ? `/accounts?user=${encodeURIComponent(userId)}` : '/accounts', account);
  }

  /**
   * The configured Link page, opened on the account (`user_token`, `account_id`). Link sends the user back to
   * `redirect_uri` with `account_id` and `user_id` added; `state` rides along in it for the host's callback.
   * The URL carries the one-hour user token, which Argyle designs to be handed to the browser.
   */
  #linkUrl(token: string, accountId: string, ctx: StartContext): string {
    const url = new URL(this.#config.linkUrl);
    url.searchParams.set('user_token', token);
    url.searchParams.set('account_id', accountId);
    if (ctx.redirectUri) {
      const back = new URL(ctx.redirectUri);
      back.searchParams.set('state', ctx.state);
      url.searchParams.set('redirect_uri', back.toString());
    }
    return url.toString();
  }

  /** The user's shareable URL where the host recorded it, if it did; a recorded value that is no URL is an error. */
  async #shareableUrl(connection: ProviderConnection): Promise<string | undefined> {
    const config = this.#config.shareableUrls;
    if (config === null) return undefined;
    let recorded: unknown;
    if (config.source === 'connection_metadata') {
      recorded = connection.metadata[config.key];
    } else {
      const userId = connection.upstreamParentId ?? (await this.#readAccount(connection.upstreamId))?.user;
      if (!userId) return undefined;
      const found = await this.#http.json('GET', `/users/${encodeURIComponent(userId)}`, user);
      const metadata = found.external_metadata;
      recorded =
        typeof metadata === 'object' && metadata !== null
          ? (metadata as Record<string, unknown>)[config.key]
          : undefined;
    }
    if (recorded === undefined || recorded === null || recorded === '') return undefined;
    if (typeof recorded === 'string' && /^https?:\/\//i.test(recorded) && URL.canParse(recorded))
      return recorded;
    throw new ReconnectKitError('config_invalid', {
      message: `The recorded Argyle shareable URL (${config.source} "${config.key}") is not an http(s) URL.`,
      details: { connectionId: connection.id, source: config.source, key: config.key },
    });
  }

  async #readAccount(accountId: string): Promise<ArgyleAccount | undefined> {
    try {
      return await this.#http.json('GET', accountPath(accountId), account);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function accountPath(accountId: string): string {
  return `/accounts/${encodeURIComponent(accountId)}`;
}

function isNotFound(error: unknown): boolean {
  return isReconnectKitError(error, 'upstream_error') && error.details.status === 404;
}
