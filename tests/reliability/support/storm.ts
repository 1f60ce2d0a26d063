import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionState } from '@reconnect-kit/core';
import { argyleMock } from '@reconnect-kit/mock-argyle';
import { HOST_KEYS } from './host.js';
import { Random } from './random.js';

/**
 * A webhook storm for the Argyle adapter, signed with the Argyle mock's own webhook scheme (pretty-printed JSON,
 * X-Argyle-Signature = hex HMAC-SHA512 of the body), plus the reference it must produce. Every account gets an
 * ordered stream of `accounts.updated` events (`resource.updated_at` strictly increasing); the deliveries mix in
 * duplicates, adjacent swaps, bad signatures and malformed bodies.
 */

const TEMPLATE = JSON.parse(
  readFileSync(
    new URL('../../../fixtures/payloads/argyle/webhook-accounts.updated.auth_required.json', import.meta.url),
    'utf8',
  ),
) as { data: { account: string; user: string; resource: Record<string, unknown> } };

/** Argyle connection statuses whose canonical states can all follow each other (none terminal). */
const STATUSES = [
  { state: 'connected', connection: { status: 'connected', error_code: null, error_message: null } },
  {
    state: 'needs_reauth',
    connection: { status: 'error', error_code: 'auth_required', error_message: 'Logged out.' },
  },
  {
    state: 'needs_credentials',
    connection: { status: 'error', error_code: 'expired_credentials', error_message: 'Expired.' },
  },
  {
    state: 'degraded',
    connection: { status: 'error', error_code: 'system_error', error_message: 'Argyle trouble.' },
  },
] as const satisfies readonly { state: ConnectionState; connection: object }[];

export type DeliveryKind = 'valid' | 'duplicate' | 'bad_signature' | 'malformed';

export interface StormDelivery {
  readonly kind: DeliveryKind;
  readonly account: number;
  readonly body: Uint8Array;
  readonly headers: Record<string, string>;
  /** The adapter's dedupe id (`argyle_` + updated_at + SHA-256 of the body) for valid events and their duplicates. */
  readonly eventId?: string;
  /** Vendor time of a valid event. */
  readonly updatedAt?: number;
  /** The canonical state a valid event signals. */
  readonly state?: ConnectionState;
}

export interface StormAccount {
  readonly accountId: string;
  readonly userId: string;
}

export interface Storm {
  readonly accounts: readonly StormAccount[];
  /** One sequential queue per sender: an account's deliveries all sit in one queue, in send order. */
  readonly queues: readonly (readonly StormDelivery[])[];
  readonly total: number;
}

export interface StormOptions {
  readonly deliveries: number;
  readonly accounts: number;
  readonly senders: number;
  readonly seed: number;
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** The adapter's dedupe key, written out from its documented format: updated_at (hex epoch ms), body SHA-256. */
export function argyleEventIdOf(body: Uint8Array, updatedAtMs: number): string {
  const time = updatedAtMs.toString(16).padStart(12, '0');
  return `argyle_${time}_${createHash('sha256').update(body).digest('hex')}`;
}

function accountIds(index: number): StormAccount {
  const hex = index.toString(16).padStart(12, '0');
  return {
    accountId: `019c0b39-0b68-7000-8000-${hex}`,
    userId: `019c0b38-9f21-7000-8000-${hex}`,
  };
}

function eventBody(account: StormAccount, updatedAt: number, status: (typeof STATUSES)[number]): unknown {
  const at = new Date(updatedAt).toISOString();
  return {
    ...TEMPLATE,
    data: {
      account: account.accountId,
      user: account.userId,
      resource: {
        ...TEMPLATE.data.resource,
        id: account.accountId,
        user: account.userId,
        updated_at: at,
        connection: { ...status.connection, updated_at: at },
      },
    },
  };
}

function signed(
  bytes: Uint8Array,
  secret: string = HOST_KEYS.argyleWebhookSecret,
): { body: Uint8Array; headers: Record<string, string> } {
  const headers = argyleMock.webhooks.sign({ body: bytes, eventId: '', timestamp: new Date(), secret });
  return { body: bytes, headers: { 'content-type': 'application/json', ...headers } };
}

const serialized = (body: unknown): Uint8Array => argyleMock.webhooks.serialize(body);

/** A correctly signed body the adapter must refuse: cut-off JSON, or JSON that breaks the accounts.* schema. */
function malformed(random: Random, account: StormAccount, updatedAt: number) {
  const valid = eventBody(account, updatedAt, STATUSES[0]) as { data: { resource: Record<string, unknown> } };
  if (random.next() < 0.5) {
    const bytes = argyleMock.webhooks.serialize(valid);
    return signed(bytes.subarray(0, 1 + random.int(bytes.length - 1)));
  }
  return signed(
    argyleMock.webhooks.serialize({
      ...valid,
      data: { ...valid.data, resource: { ...valid.data.resource, connection: 42 } },
    }),
  );
}

/**
 * Builds the storm. Per delivery slot: 10% a duplicate of an event already sent for that account, 1% a bad
 * signature (a would-be newest event signed with another secret), 1% a malformed body; the rest are the next
 * events, 5% of them swapped with the following one (arriving after a newer event: stale).
 */
export function buildStorm(options: StormOptions): Storm {
  const random = new Random(options.seed);
  const accounts = Array.from({ length: options.accounts }, (_, index) => accountIds(index));
  const perAccount: StormDelivery[][] = accounts.map(() => []);
  const nextTime = accounts.map(() => BASE_TIME);
  const sent: StormDelivery[][] = accounts.map(() => []);
  const held: (StormDelivery | undefined)[] = accounts.map(() => undefined);

  const nextValid = (a: number): StormDelivery => {
    const updatedAt = (nextTime[a] ?? BASE_TIME) + 1 + random.int(5_000);
    nextTime[a] = updatedAt;
    const status = STATUSES[random.int(STATUSES.length)] ?? STATUSES[0];
    const { body, headers } = signed(serialized(eventBody(accounts[a] as StormAccount, updatedAt, status)));
    return {
      kind: 'valid',
      account: a,
      body,
      headers,
      eventId: argyleEventIdOf(body, updatedAt),
      updatedAt,
      state: status.state,
    };
  };
  const push = (a: number, delivery: StormDelivery) => {
    perAccount[a]?.push(delivery);
    if (delivery.kind === 'valid') sent[a]?.push(delivery);
  };

  for (let slot = 0; slot < options.deliveries; slot += 1) {
    const a = random.int(accounts.length);
    const account = accounts[a] as StormAccount;
    const roll = random.next();
    const earlier = sent[a] ?? [];
    if (roll < 0.1 && earlier.length > 0) {
      const original = earlier[random.int(earlier.length)] as StormDelivery;
      push(a, { ...original, kind: 'duplicate' });
    } else if (roll < 0.11) {
      const { body, headers } = signed(
        serialized(eventBody(account, (nextTime[a] ?? BASE_TIME) + 10_000_000, STATUSES[1])),
        'not-the-configured-secret',
      );
      push(a, { kind: 'bad_signature', account: a, body, headers });
    } else if (roll < 0.12) {
      push(a, { kind: 'malformed', account: a, ...malformed(random, account, nextTime[a] ?? BASE_TIME) });
    } else {
      const waiting = held[a];
      if (waiting) {
        // The held (older) event goes out after this newer one: a reordered delivery.
        push(a, nextValid(a));
        push(a, waiting);
        held[a] = undefined;
      } else if (random.next() < 0.05) {
        held[a] = nextValid(a);
      } else {
        push(a, nextValid(a));
      }
    }
  }
  for (const [a, waiting] of held.entries()) if (waiting) push(a, waiting);

  const queues: StormDelivery[][] = Array.from({ length: options.senders }, () => []);
  // Interleave a sender's accounts so that concurrent senders hit many connections at once.
  for (let a = 0; a < accounts.length; a += 1) {
    const queue = queues[a % options.senders] as StormDelivery[];
    queue.push(...(perAccount[a] ?? []));
  }
  const total = queues.reduce((sum, queue) => sum + queue.length, 0);
  return { accounts, queues, total };
}

/** What a delivery must be answered with, and what the store must hold afterwards. */
export interface StormReference {
  /** Expected HTTP status and receipt per delivery, keyed like `queues[q][i]`. */
  readonly expectations: readonly (readonly Expectation[])[];
  /** Distinct valid event ids: exactly the inbound dedupe table's rows. */
  readonly validEventIds: ReadonlySet<string>;
  /** Per account: the state of its newest event (by `updated_at`), i.e. the state the ordered stream ends in. */
  readonly finalStates: readonly ConnectionState[];
  /** Event ids whose arrival changed the state (each must cause exactly one `connection.state_changed`). */
  readonly changingEventIds: ReadonlySet<string>;
  /** Event ids that arrived after a newer one (recorded as stale, not applied). */
  readonly staleEventIds: ReadonlySet<string>;
}

export type Expectation =
  | { readonly status: 200; readonly receipt: 'applied' | 'ignored' | 'duplicate' }
  | { readonly status: 400 | 401 };

/**
 * Replays the queues with the documented rules (dedupe by event id; older than the last applied signal = stale;
 * every state in the storm may follow every other). Registered connections start `connected`, no signal yet.
 */
export function referenceOf(storm: Storm): StormReference {
  const state: ConnectionState[] = storm.accounts.map(() => 'connected');
  const last: (number | undefined)[] = storm.accounts.map(() => undefined);
  const newest: { at: number; state: ConnectionState }[] = storm.accounts.map(() => ({
    at: -1,
    state: 'connected',
  }));
  const seen = new Set<string>();
  const changing = new Set<string>();
  const stale = new Set<string>();
  const expectations = storm.queues.map((queue) =>
    queue.map((delivery): Expectation => {
      if (delivery.kind === 'bad_signature') return { status: 401 };
      if (delivery.kind === 'malformed') return { status: 400 };
      const id = delivery.eventId as string;
      if (seen.has(id)) return { status: 200, receipt: 'duplicate' };
      seen.add(id);
      const a = delivery.account;
      const at = delivery.updatedAt as number;
      const newestOfAccount = newest[a] as { at: number };
      if (at > newestOfAccount.at) newest[a] = { at, state: delivery.state as ConnectionState };
      const lastAt = last[a];
      if (lastAt !== undefined && at < lastAt) {
        stale.add(id);
        return { status: 200, receipt: 'ignored' };
      }
      last[a] = at;
      if (state[a] !== delivery.state) changing.add(id);
      state[a] = delivery.state as ConnectionState;
      return { status: 200, receipt: 'applied' };
    }),
  );
  const finalStates = newest.map((entry) => entry.state);
  for (const [a, reached] of state.entries()) {
    if (reached !== finalStates[a]) throw new Error(`reference model disagrees with itself for account ${a}`);
  }
  return { expectations, validEventIds: seen, finalStates, changingEventIds: changing, staleEventIds: stale };
}
