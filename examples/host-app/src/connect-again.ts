/**
 * "Connect again" for a revoked or disconnected connection. A terminal connection cannot be reconnected (the
 * vendor makes a NEW account), so this is the host's first-connect flow, pointed at the same end user:
 * - Argyle: Link opens for the SAME Argyle user (fresh user token, no account id) and, when the old connection
 *   recorded its Link item, straight on that employer's login (Link's `items` with one item); the user logs in,
 *   Link's return URL names the new account, and the new connection is labelled with the employer Argyle reports
 *   for it;
 * - Finch: the adapter's `openConnectSession` for the same customer, on the same payroll provider. Finch allows one
 *   live connection per customer: when it already has one (say the company a mismatched re-authentication
 *   reached), the adapter opens a re-authentication session for it instead. If that connection is one of this
 *   app's own live connections, it is simply reconnected (`service.startReconnection`); otherwise the employer
 *   signs in and the callback's code is exchanged for the connection Finch names;
 * - Plaid: hosted Link in new mode for the same user; its public token is exchanged for the new Item's access token.
 * The new connection is registered with `previousConnectionId`, so its history links to the old one.
 */
import { randomBytes } from 'node:crypto';
import {
  type Connection,
  isReconnectKitError,
  type ReconnectionService,
  TERMINAL_STATES,
} from '@reconnect-kit/core';
import type { FinchProvider } from '@reconnect-kit/finch';
import {
  type ArgyleApi,
  createArgyleUserToken,
  createPlaidHostedLink,
  exchangeFinchCode,
  exchangePlaidHostedLink,
  type FinchApi,
  getArgyleAccount,
  type PlaidApi,
  VendorCallError,
} from './vendor-calls.js';

/** Connection metadata the demo keeps per connection (host data, not the kit's). */
export const HOST_METADATA = {
  /** The name shown on the card. */
  employer: 'employer',
  /** Argyle: the Link item (`item_…`) the account was connected through, to open Link on it again. */
  argyleItem: 'argyle_item',
  /** Finch: the payroll provider (`gusto`, …) the connection uses, to open Connect on it again. */
  finchProvider: 'payroll_provider',
} as const;

export class NewConnectionError extends Error {
  constructor(
    readonly code: 'not_terminal' | 'callback_invalid',
    message: string,
  ) {
    super(message);
    this.name = 'NewConnectionError';
  }
}

function assertTerminal(previous: Connection): void {
  if (!TERMINAL_STATES.includes(previous.state)) {
    throw new NewConnectionError(
      'not_terminal',
      'Only revoked or disconnected connections are connected again.',
    );
  }
}

/** How long a Finch "Connect again" link stays usable. */
const PENDING_TTL_MS = 30 * 60 * 1000;

export interface ConnectAgainOptions {
  readonly service: ReconnectionService;
  readonly baseUrl: string;
  readonly argyle: ArgyleApi & { readonly linkUrl: string };
  readonly finch: { readonly api: FinchApi; readonly provider: FinchProvider };
  readonly plaid: PlaidApi;
}

export class ConnectAgain {
  readonly #options: ConnectAgainOptions;
  /** Finch Connect `state` → the revoked connection it replaces (single use). */
  readonly #pendingFinch = new Map<
    string,
    { previousId: string; expiresAt: number; kind: 'new_connection' | 'reauthenticate' }
  >();
  /** Plaid hosted Link return key → the link token and the revoked connection it replaces (single use). */
  readonly #pendingPlaid = new Map<string, { previousId: string; linkToken: string; expiresAt: number }>();

  constructor(options: ConnectAgainOptions) {
    this.#options = options;
  }

  /** Returns the URL to send the user to. */
  async start(previous: Connection): Promise<string> {
    assertTerminal(previous);
    const back = `${this.#options.baseUrl}/connect-again/${previous.provider}/return`;
    if (previous.provider === 'argyle') {
      const userId = previous.upstreamParentId;
      if (!userId) throw new NewConnectionError('callback_invalid', 'The connection has no Argyle user id.');
      const token = await createArgyleUserToken(this.#options.argyle, userId);
      const link = new URL(this.#options.argyle.linkUrl);
      link.searchParams.set('user_token', token);
      const item = previous.metadata[HOST_METADATA.argyleItem];
      if (item) link.searchParams.set('items', item);
      link.searchParams.set('redirect_uri', `${back}?previous=${encodeURIComponent(previous.id)}`);
      return link.toString();
    }
    if (previous.provider === 'plaid') {
      const key = randomBytes(24).toString('base64url');
      const { linkToken, url } = await createPlaidHostedLink(this.#options.plaid, {
        clientUserId: previous.hostUserId,
        completionUri: `${back}?key=${key}`,
        webhook: `${this.#options.baseUrl}/webhooks/plaid`,
      });
      this.#pendingPlaid.set(key, {
        previousId: previous.id,
        linkToken,
        expiresAt: Date.now() + PENDING_TTL_MS,
      });
      return url;
    }
    const state = randomBytes(24).toString('base64url');
    const session = await this.#options.finch.provider.openConnectSession({
      customerId: previous.hostUserId,
      customerName: previous.metadata[HOST_METADATA.employer] ?? previous.hostUserId,
      providerId: previous.metadata[HOST_METADATA.finchProvider],
      redirectUri: back,
      state,
    });
    if (session.kind === 'reauthenticate') {
      const own = await this.#liveConnection(previous, session.connectionId);
      if (own) {
        // Already ours: reconnect it through the kit (its attempt, state and callback) instead of a second record.
        const { action } = await this.#options.service.startReconnection(own.id);
        const url = 'url' in action ? action.url : undefined;
        if (!url) throw new NewConnectionError('callback_invalid', 'The reconnect has no page to open.');
        return url;
      }
    }
    this.#pendingFinch.set(state, {
      previousId: previous.id,
      expiresAt: Date.now() + PENDING_TTL_MS,
      kind: session.kind,
    });
    return session.url;
  }

  /**
   * Handles the vendor's return; returns the new (or already registered) connection and whether Finch
   * re-authenticated a connection it already had for the customer instead of creating one.
   */
  async finish(
    provider: string,
    query: Readonly<Record<string, string>>,
  ): Promise<{ connection: Connection; reauthenticated: boolean }> {
    if (provider === 'plaid') return { connection: await this.#finishPlaid(query), reauthenticated: false };
    return provider === 'argyle'
      ? { connection: await this.#finishArgyle(query), reauthenticated: false }
      : this.#finishFinch(query);
  }

  async #finishPlaid(query: Readonly<Record<string, string>>): Promise<Connection> {
    const pending = this.#pendingPlaid.get(query.key ?? '');
    this.#pendingPlaid.delete(query.key ?? '');
    if (!pending || pending.expiresAt < Date.now()) {
      throw new NewConnectionError('callback_invalid', 'The hosted Link return is unknown or expired.');
    }
    const previous = await this.#options.service.getConnection(pending.previousId);
    const item = await exchangePlaidHostedLink(this.#options.plaid, pending.linkToken);
    const connection = await this.#register(previous, {
      upstreamId: item.itemId,
      secrets: { access_token: item.accessToken },
    });
    return this.#options.service.checkStatus(connection.id);
  }

  async #finishArgyle(query: Readonly<Record<string, string>>): Promise<Connection> {
    const { service } = this.#options;
    const previous = await service.getConnection(query.previous ?? '');
    assertTerminal(previous);
    const accountId = query.account_id;
    // Link's return names the user; it must be the one we opened Link for.
    if (previous.provider !== 'argyle' || !accountId || query.user_id !== previous.upstreamParentId) {
      throw new NewConnectionError('callback_invalid', 'The Link return does not match the connection.');
    }
    // Label the connection with what the user actually connected, read from Argyle (not the old connection's).
    const account = await getArgyleAccount(this.#options.argyle, accountId);
    // The return is a browser URL anyone can write: only Argyle's record says whose account it is.
    if (account.user !== previous.upstreamParentId) {
      throw new NewConnectionError('callback_invalid', 'The Link return names another user’s account.');
    }
    const metadata: Record<string, string> = {
      ...previous.metadata,
      [HOST_METADATA.argyleItem]: account.item,
    };
    if (account.employer) metadata[HOST_METADATA.employer] = account.employer;
    const connection = await this.#register(previous, { upstreamId: accountId, metadata });
    // Read the account's real status from Argyle rather than trusting the browser's return.
    return service.checkStatus(connection.id);
  }

  async #finishFinch(
    query: Readonly<Record<string, string>>,
  ): Promise<{ connection: Connection; reauthenticated: boolean }> {
    const pending = this.#pendingFinch.get(query.state ?? '');
    this.#pendingFinch.delete(query.state ?? '');
    if (!pending || pending.expiresAt < Date.now() || !query.code) {
      throw new NewConnectionError(
        'callback_invalid',
        'The Connect callback is unknown, expired or has no code.',
      );
    }
    const previous = await this.#options.service.getConnection(pending.previousId);
    const redirectUri = `${this.#options.baseUrl}/connect-again/finch/return`;
    const token = await exchangeFinchCode(this.#options.finch.api, query.code, redirectUri).catch(
      (error: unknown) => {
        // Finch refused the code (used, expired, not its own): the user starts again; other failures surface.
        if (error instanceof VendorCallError && error.status >= 400 && error.status < 500) {
          throw new NewConnectionError('callback_invalid', 'Finch refused the Connect code.');
        }
        throw error;
      },
    );
    const connection = await this.#register(previous, {
      upstreamId: token.connectionId,
      upstreamParentId: token.companyId,
      secrets: { access_token: token.accessToken },
    });
    return { connection, reauthenticated: pending.kind === 'reauthenticate' };
  }

  /**
   * Registers the successor unless one exists already: for Argyle, the vendor's own `accounts.connected`
   * webhook may have registered it first (core links a new account of a revoked connection's user by itself).
   */
  async #register(
    previous: Connection,
    upstream: {
      upstreamId: string;
      upstreamParentId?: string;
      secrets?: Record<string, string>;
      metadata?: Record<string, string>;
    },
  ): Promise<Connection> {
    const { service } = this.#options;
    const existing = await this.#liveConnection(previous, upstream.upstreamId);
    if (existing) return existing;
    try {
      return await service.registerConnection({
        provider: previous.provider,
        hostUserId: previous.hostUserId,
        upstreamId: upstream.upstreamId,
        upstreamParentId: upstream.upstreamParentId ?? previous.upstreamParentId,
        state: 'connected',
        vendor: { status: 'connected' },
        metadata: upstream.metadata ?? previous.metadata,
        secrets: upstream.secrets,
        previousConnectionId: previous.id,
      });
    } catch (error) {
      const raced = isReconnectKitError(error, 'store_conflict')
        ? await this.#liveConnection(previous, upstream.upstreamId)
        : undefined;
      if (raced) return raced;
      throw error;
    }
  }

  async #liveConnection(previous: Connection, upstreamId: string): Promise<Connection | undefined> {
    const page = await this.#options.service.listConnections({
      provider: previous.provider,
      hostUserId: previous.hostUserId,
      limit: 100,
    });
    return page.items.find((c) => c.upstreamId === upstreamId && !TERMINAL_STATES.includes(c.state));
  }
}
