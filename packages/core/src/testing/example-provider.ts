import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { SystemClock } from '../clock.js';
import { ReconnectKitError } from '../errors.js';
import type {
  CallbackParams,
  ConnectionProblem,
  ConnectionState,
  EarlyWarning,
  FixPath,
  ProviderCapabilities,
  ProviderConnection,
  ProviderEvent,
  ProviderStatus,
  ReconnectAction,
  ReconnectionProvider,
  ReconnectResult,
  StartContext,
  StatusHint,
  VerifiedWebhook,
} from '../types.js';

/**
 * A small fake vendor and its provider adapter, for tests of core and of packages built on it (express).
 * The vendor is scriptable in process; webhooks are JSON signed with HMAC-SHA256 over `<timestamp>.<body>`.
 */

export const EXAMPLE_PROVIDER_ID = 'example';
export const EXAMPLE_SIGNATURE_HEADER = 'x-example-signature';
export const EXAMPLE_TIMESTAMP_HEADER = 'x-example-timestamp';
const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

export type ExampleAccountStatus =
  | 'active'
  | 'linking'
  | 'login_required'
  | 'password_expired'
  | 'outage'
  | 'removed';

/** How the example vendor's statuses map onto canonical states (the shape real adapters use too). */
const STATUS_MAP: Readonly<
  Record<ExampleAccountStatus, { state: ConnectionState; problem?: { reason: string; fix: FixPath } }>
> = {
  active: { state: 'connected' },
  linking: { state: 'pending' },
  login_required: {
    state: 'needs_reauth',
    problem: { reason: 'The example site signed you out.', fix: 'one_click' },
  },
  password_expired: {
    state: 'needs_credentials',
    problem: { reason: 'Your example password expired.', fix: 'reenter_credentials' },
  },
  outage: { state: 'degraded', problem: { reason: 'The example site is having problems.', fix: 'wait' } },
  removed: { state: 'revoked', problem: { reason: 'Access was removed.', fix: 'new_connection' } },
};

export function mapExampleStatus(status: ExampleAccountStatus): {
  state: ConnectionState;
  vendor: { status: string };
  problem?: ConnectionProblem;
} {
  const mapped = STATUS_MAP[status];
  const vendor = { status };
  if (!mapped.problem) return { state: mapped.state, vendor };
  return {
    state: mapped.state,
    vendor,
    problem: { state: mapped.state as ConnectionProblem['state'], vendor, ...mapped.problem },
  };
}

/** An error the example vendor's API throws (the host reports it with `service.reportError`). */
export class ExampleApiError extends Error {
  override readonly name = 'ExampleApiError';
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Example API error ${status} ${code}`);
  }
}

export interface ExampleAccount {
  readonly id: string;
  readonly ownerId: string;
  status: ExampleAccountStatus;
  /** The access token the vendor expects; the provider receives it from the sealed secrets. */
  token: string;
  /** A deadline the vendor announces (access expires then unless the user renews it): an early warning. */
  expiresAt?: Date | undefined;
}

/** The early warning the example vendor gives for an account that expires at `deadline`. */
export function exampleExpiryWarning(deadline: Date): EarlyWarning {
  return {
    code: 'access_expiring',
    deadline,
    reason: 'Your example access expires soon. Renew it to keep it working.',
    vendor: { status: 'active', code: 'pending_expiration' },
  };
}

/** What a reconnect code signs the user into. */
export interface ExampleGrant {
  readonly accountId: string;
  readonly ownerId: string;
  readonly token: string;
  /** `linking`: the vendor confirms later (pending); a problem status makes the completion fail. */
  readonly status?: ExampleAccountStatus;
}

/** The scriptable vendor behind `ExampleProvider`. */
export class ExampleVendor {
  readonly accounts = new Map<string, ExampleAccount>();
  readonly grants = new Map<string, ExampleGrant>();
  /** Every API call the provider made, in order. */
  readonly calls: { readonly method: string; readonly accountId: string }[] = [];
  /** The `hint` of every status read (undefined when none was given), in order. */
  readonly statusHints: (StatusHint | undefined)[] = [];
  #gate: Promise<void> | undefined;
  readonly #failures = new Map<string, unknown>();

  addAccount(account: Omit<ExampleAccount, 'status'> & { status?: ExampleAccountStatus }): ExampleAccount {
    const stored = { status: 'active' as const, ...account };
    this.accounts.set(account.id, stored);
    return stored;
  }

  setStatus(accountId: string, status: ExampleAccountStatus): void {
    this.#account(accountId).status = status;
  }

  /** Makes `code` a valid reconnect code that signs the user into `grant`. */
  issueCode(code: string, grant: ExampleGrant): void {
    this.grants.set(code, grant);
  }

  /** The next call of `method` throws `error`. */
  failNext(method: 'fetchStatus' | 'startReconnection' | 'exchange' | 'revoke', error: unknown): void {
    this.#failures.set(method, error);
  }

  /** Holds every code exchange until the returned function is called (to pile up concurrent completions). */
  holdExchanges(): () => void {
    let release = () => {};
    this.#gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  exchangeCount(): number {
    return this.calls.filter((call) => call.method === 'exchange').length;
  }

  async call<T>(method: string, accountId: string, run: () => T): Promise<T> {
    this.calls.push({ method, accountId });
    if (method === 'exchange' && this.#gate) await this.#gate;
    const failure = this.#failures.get(method);
    if (failure !== undefined) {
      this.#failures.delete(method);
      throw failure;
    }
    return run();
  }

  #account(accountId: string): ExampleAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new ExampleApiError(404, 'account_not_found');
    return account;
  }

  account(accountId: string): ExampleAccount {
    return this.#account(accountId);
  }
}

const webhookSchema = z
  .object({
    events: z
      .array(
        z.object({
          id: z.string().min(1),
          type: z.string().min(1),
          account_id: z.string().min(1),
          owner_id: z.string().min(1).optional(),
          status: z
            .enum(['active', 'linking', 'login_required', 'password_expired', 'outage', 'removed'])
            .optional(),
          occurred_at: z.iso.datetime(),
          /** The event is only a hint (its status may be stale): the service confirms it with a status read. */
          hint: z.boolean().optional(),
          /** What the confirming status read should look at (passed to `fetchStatus` as `hint.ref`). */
          ref: z.string().min(1).optional(),
          /** `account.expiring`: the deadline the vendor announces (an early warning, no state change). */
          expires_at: z.iso.datetime().optional(),
        }),
      )
      .min(1),
  })
  .strict();

export type ExampleWebhookEvent = z.input<typeof webhookSchema>['events'][number];

function webhookMac(secret: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Builds a signed example webhook: the exact bytes and the headers a vendor would send. */
export function signExampleWebhook(
  secret: string,
  events: readonly ExampleWebhookEvent[],
  sentAt: Date,
): { readonly body: string; readonly rawBody: Uint8Array; readonly headers: Record<string, string> } {
  const body = JSON.stringify({ events });
  const rawBody = new TextEncoder().encode(body);
  const timestamp = sentAt.toISOString();
  return {
    body,
    rawBody,
    headers: {
      'content-type': 'application/json',
      [EXAMPLE_TIMESTAMP_HEADER]: timestamp,
      [EXAMPLE_SIGNATURE_HEADER]: `sha256=${webhookMac(secret, timestamp, rawBody).toString('hex')}`,
    },
  };
}

export interface ExampleProviderOptions {
  readonly vendor: ExampleVendor;
  readonly webhookSecret: string;
  readonly id?: string;
  readonly clock?: Clock;
  /** Where the fake reconnect page lives (only used to build the redirect URL). */
  readonly connectUrl?: string;
  /** What stops working until the user reconnects (the notification falls back to it). */
  readonly impact?: readonly string[];
}

/** A complete `ReconnectionProvider` over `ExampleVendor`. */
export class ExampleProvider implements ReconnectionProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities = {
    webhooks: true,
    statusPolling: true,
    errorClassification: true,
    oneClickReconnect: false,
    redirectReconnect: true,
    inviteResend: false,
    revocation: true,
    // An example owner is one host user's (like an Argyle user), so successors under it are theirs.
    parentIsHostUser: true,
  };
  readonly impact: readonly string[] | undefined;
  readonly #vendor: ExampleVendor;
  readonly #secret: string;
  readonly #clock: Clock;
  readonly #connectUrl: string;

  constructor(options: ExampleProviderOptions) {
    this.id = options.id ?? EXAMPLE_PROVIDER_ID;
    this.#vendor = options.vendor;
    this.#secret = options.webhookSecret;
    this.#clock = options.clock ?? new SystemClock();
    this.#connectUrl = options.connectUrl ?? 'https://connect.example.test/reauth';
    this.impact = options.impact;
  }

  verifyWebhook(rawBody: Uint8Array, headers: Headers, now: Date): VerifiedWebhook {
    const timestamp = headers.get(EXAMPLE_TIMESTAMP_HEADER) ?? '';
    const signature = headers.get(EXAMPLE_SIGNATURE_HEADER) ?? '';
    const given = Buffer.from(signature.replace(/^sha256=/, ''), 'hex');
    const wanted = webhookMac(this.#secret, timestamp, rawBody);
    if (
      !signature.startsWith('sha256=') ||
      given.length !== wanted.length ||
      !timingSafeEqual(given, wanted)
    ) {
      throw new ReconnectKitError('webhook_signature_invalid', { details: { provider: this.id } });
    }
    const sentAt = Date.parse(timestamp);
    if (Number.isNaN(sentAt) || Math.abs(now.getTime() - sentAt) > WEBHOOK_TOLERANCE_MS) {
      throw new ReconnectKitError('webhook_stale', { details: { provider: this.id } });
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(rawBody));
    } catch {
      throw new ReconnectKitError('webhook_payload_invalid', { details: { provider: this.id } });
    }
    return { provider: this.id, rawBody, headers, body, receivedAt: now };
  }

  parseWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
    const parsed = webhookSchema.safeParse(webhook.body);
    if (!parsed.success) {
      throw new ReconnectKitError('webhook_payload_invalid', {
        details: { provider: this.id, path: parsed.error.issues[0]?.path.join('.') },
      });
    }
    return parsed.data.events.map((event) => ({
      eventId: event.id,
      provider: this.id,
      vendorType: event.type,
      upstreamId: event.account_id,
      upstreamParentId: event.owner_id,
      occurredAt: new Date(event.occurred_at),
      // Only status events carry a signal; anything else is informational (recorded, not applied).
      signal: event.type === 'account.status' && event.status ? mapExampleStatus(event.status) : undefined,
      ...(event.hint ? { confirm: 'status_check' as const, confirmRef: event.ref } : {}),
      ...(event.type === 'account.expiring' && event.expires_at
        ? { warning: exampleExpiryWarning(new Date(event.expires_at)) }
        : {}),
    }));
  }

  classifyError(error: unknown): ConnectionProblem | undefined {
    if (!(error instanceof ExampleApiError)) return undefined;
    if (error.status === 401 && error.code === 'login_required')
      return mapExampleStatus('login_required').problem;
    if (error.status === 403 && error.code === 'password_expired') {
      return mapExampleStatus('password_expired').problem;
    }
    if (error.status === 503) {
      const problem = mapExampleStatus('outage').problem as ConnectionProblem;
      return { ...problem, retryAfterMs: 60_000 };
    }
    return undefined;
  }

  fetchStatus(connection: ProviderConnection, hint?: StatusHint): Promise<ProviderStatus> {
    this.#vendor.statusHints.push(hint);
    return this.#vendor.call('fetchStatus', connection.upstreamId, () => {
      const account = this.#vendor.account(connection.upstreamId);
      const status = account.token === connection.secrets.token ? account.status : 'login_required';
      return {
        ...mapExampleStatus(status),
        upstreamParentId: account.ownerId,
        checkedAt: this.#clock.now(),
        warning: account.expiresAt === undefined ? null : exampleExpiryWarning(account.expiresAt),
      };
    });
  }

  startReconnection(connection: ProviderConnection, ctx: StartContext): Promise<ReconnectAction> {
    return this.#vendor.call('startReconnection', connection.upstreamId, () => {
      const url = new URL(this.#connectUrl);
      url.searchParams.set('account', connection.upstreamId);
      url.searchParams.set('state', ctx.state);
      if (ctx.redirectUri) url.searchParams.set('redirect_uri', ctx.redirectUri);
      return { kind: 'redirect', url: url.toString(), state: ctx.state, expiresAt: ctx.expiresAt };
    });
  }

  completeReconnection(connection: ProviderConnection, callback: CallbackParams): Promise<ReconnectResult> {
    return this.#vendor.call('exchange', connection.upstreamId, (): ReconnectResult => {
      const grant = callback.code === undefined ? undefined : this.#vendor.grants.get(callback.code);
      if (!grant) throw new ReconnectKitError('reconnect_code_invalid', { details: { provider: this.id } });
      this.#vendor.grants.delete(callback.code as string);
      const status = grant.status ?? 'active';
      if (status === 'linking') return { outcome: 'pending' };
      const mapped = mapExampleStatus(status);
      if (mapped.problem) return { outcome: 'failed', problem: mapped.problem };
      const account = this.#vendor.accounts.get(grant.accountId);
      if (account) {
        account.status = status;
        account.token = grant.token;
      }
      return {
        outcome: 'completed',
        upstreamId: grant.accountId,
        upstreamParentId: grant.ownerId,
        secrets: { token: grant.token },
        vendor: mapped.vendor,
        state: mapped.state,
      };
    });
  }

  revoke(connection: ProviderConnection): Promise<void> {
    return this.#vendor.call('revoke', connection.upstreamId, () => {
      this.#vendor.setStatus(connection.upstreamId, 'removed');
    });
  }
}
