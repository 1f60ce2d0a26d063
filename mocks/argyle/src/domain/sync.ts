/**
 * The data sync of an account on the mock clock.
 *
 * First connect (all at the connect instant, in Argyle's order): `accounts.connected`, `accounts.updated` (every
 * data set `in_progress`), `identities.added` per identity, `<set>.partially_synced` for the counted sets
 * (paystubs, gigs, shifts; the window is the subscription's `config.days_synced`, default 30 days),
 * `accounts.updated` (uncounted sets `synced`), `<set>.fully_synced`, `accounts.updated` (all `synced`) and
 * `users.fully_synced`.
 *
 * Ongoing refresh: while an account is connected with refresh enabled, every pay date the mock clock passes adds
 * that pay period (its paystub, payroll document, gigs and shifts) with one `<set>.added` per record, then
 * `accounts.updated`. `catchUp` runs before every API request and after every admin request (a clock change), so
 * advancing the clock by one pay period delivers the new paystub. While the account is in `error` (or refresh is
 * disabled) nothing is added; after a reconnect the next catch-up adds the periods paid meanwhile.
 *
 * Corrections (`applyCorrections`, replayed by the sandbox `periodic-scan`): `paystubs.updated`, `gigs.removed`.
 */
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { accountEvent } from './account-events.js';
import {
  type AccountData,
  type AccountModelInput,
  generateAccountData,
  generatePeriods,
  payDate,
  periodsUntil,
} from './data-model.js';
import { DEFAULT_ITEM, findSandboxItem, findSandboxUser, SANDBOX_USERS } from './sandbox.js';
import { serializeUser, webhookTime } from './serialize.js';
import {
  type AccountRecord,
  type ArgyleState,
  type AvailabilityStatus,
  addAccountData,
  DATA_SETS,
  type DataSetName,
  type DataWindow,
  type StoredRow,
  type SyncState,
} from './state.js';
import { publish } from './webhooks.js';

type Ctx = MockContext<ArgyleState>;

/** The store behind each data set and the key its `*.added` webhook names the record under. */
const DATA_SET_STORES: Readonly<Record<DataSetName, { store: keyof AccountData; singular: string }>> = {
  identities: { store: 'identities', singular: 'identity' },
  paystubs: { store: 'paystubs', singular: 'paystub' },
  payroll_documents: { store: 'payrollDocuments', singular: 'payroll_document' },
  deposit_destinations: { store: 'depositDestinations', singular: 'deposit_destination' },
  gigs: { store: 'gigs', singular: 'gig' },
  shifts: { store: 'shifts', singular: 'shift' },
  vehicles: { store: 'vehicles', singular: 'vehicle' },
  ratings: { store: 'ratings', singular: 'rating' },
};

/** Data sets whose availability and sync webhooks carry a count and a date window. */
const COUNTED_SETS = ['paystubs', 'gigs', 'shifts'] as const satisfies readonly DataSetName[];
/** Data sets ongoing refresh adds to, one `*.added` per record. */
const REFRESHED_SETS = ['paystubs', 'payroll_documents', 'gigs', 'shifts'] as const;
const DEFAULT_DAYS_SYNCED = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export function setAvailability(account: AccountRecord, status: AvailabilityStatus, now: Date): void {
  const availability = account.availability;
  if (availability === null) return;
  for (const set of DATA_SETS) availability[set] = { status, updatedAt: now };
}

function allSets(status: AvailabilityStatus, now: Date): Record<DataSetName, SyncState> {
  return Object.fromEntries(DATA_SETS.map((set) => [set, { status, updatedAt: now }])) as Record<
    DataSetName,
    SyncState
  >;
}

/** A store window as the sync webhooks name its fields. */
function windowData({ count, from, to }: DataWindow) {
  return { available_from: from, available_to: to, available_count: count };
}

function modelInput(ctx: Ctx, account: AccountRecord): AccountModelInput {
  return {
    seed: account.id,
    accountId: account.id,
    userId: account.userId,
    persona: findSandboxUser(account.login) ?? SANDBOX_USERS[0]!,
    item: findSandboxItem(account.itemId) ?? DEFAULT_ITEM,
    connectedAt: ctx.clock.now(),
  };
}

function dataEvent(
  ctx: Ctx,
  account: AccountRecord,
  event: string,
  extra: (config: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>,
  resource?: () => unknown,
): QueuedWebhook[] {
  return publish(ctx, {
    event,
    data: (config) => ({ account: account.id, user: account.userId, ...extra(config) }),
    resource,
  });
}

function usersFullySynced(ctx: Ctx, userId: string): QueuedWebhook[] {
  const user = ctx.state.users.get(userId);
  if (!user) return [];
  const accounts = [...ctx.state.accounts.values()].filter(
    (account) => account.userId === userId && account.connection.status === 'connected',
  );
  return publish(ctx, {
    event: 'users.fully_synced',
    data: { user: userId },
    resource: () => {
      const wire = serializeUser(ctx.state, user);
      return {
        id: wire.id,
        accounts_connected: accounts.map((account) => account.id),
        items_connected: wire.items_connected,
        employers_connected: wire.employers_connected,
        external_metadata: wire.external_metadata,
        external_id: wire.external_id,
        // Webhook resources use microseconds (recorded).
        created_at: webhookTime(user.createdAt),
      };
    },
  });
}

/** The first connect: generate the account's data, then send the sync webhooks in Argyle's order. */
export function firstSync(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  const input = modelInput(ctx, account);
  addAccountData(ctx.state, { accountId: account.id, userId: account.userId }, generateAccountData(input));
  const periods = periodsUntil(input, now);
  account.model = { input, periods, nextDueMs: payDate(input, periods) };
  ctx.state.refreshDueMs = Math.min(ctx.state.refreshDueMs, account.model.nextDueMs);
  account.availability = allSets('in_progress', now);
  const webhooks = [
    ...accountEvent(ctx, 'accounts.connected', account),
    ...accountEvent(ctx, 'accounts.updated', account),
  ];
  for (const identity of ctx.state.data.identities.forAccount(account.id)) {
    webhooks.push(
      ...dataEvent(
        ctx,
        account,
        'identities.added',
        () => ({ identity: identity.id }),
        () => identity.wire,
      ),
    );
  }
  for (const set of COUNTED_SETS) {
    const store = ctx.state.data[set];
    webhooks.push(
      ...dataEvent(ctx, account, `${set}.partially_synced`, (config) => {
        const days = typeof config.days_synced === 'number' ? config.days_synced : DEFAULT_DAYS_SYNCED;
        return { ...windowData(store.window(account.id, now.getTime() - days * DAY_MS)), days_synced: days };
      }),
    );
  }
  for (const set of DATA_SETS) {
    if (!(COUNTED_SETS as readonly string[]).includes(set))
      account.availability[set] = { status: 'synced', updatedAt: now };
  }
  webhooks.push(...accountEvent(ctx, 'accounts.updated', account));
  for (const set of COUNTED_SETS) {
    const window = windowData(ctx.state.data[set].window(account.id));
    webhooks.push(...dataEvent(ctx, account, `${set}.fully_synced`, () => window));
  }
  setAvailability(account, 'synced', now);
  webhooks.push(...accountEvent(ctx, 'accounts.updated', account));
  webhooks.push(...usersFullySynced(ctx, account.userId));
  return webhooks;
}

/** Adds pay periods up to (not including) `to`: the records, one `*.added` each, then `accounts.updated`. */
export function addPeriods(ctx: Ctx, account: AccountRecord, to: number): QueuedWebhook[] {
  const model = account.model;
  if (model === null || to <= model.periods) return [];
  const now = ctx.clock.now();
  const added = generatePeriods(model.input, model.periods, to, now);
  addAccountData(ctx.state, { accountId: account.id, userId: account.userId }, added);
  model.periods = to;
  model.nextDueMs = payDate(model.input, to);
  account.scannedAt = now;
  account.updatedAt = now;
  setAvailability(account, 'synced', now);
  const webhooks: QueuedWebhook[] = [];
  for (const set of REFRESHED_SETS) {
    const { store, singular } = DATA_SET_STORES[set];
    for (const row of added[store]) {
      // Payroll documents' `file_url` names the mock's host, known only per request: no resource for them.
      const resource = set === 'payroll_documents' ? undefined : () => row.wire;
      webhooks.push(...dataEvent(ctx, account, `${set}.added`, () => ({ [singular]: row.id }), resource));
    }
  }
  return [...webhooks, ...accountEvent(ctx, 'accounts.updated', account)];
}

function newest<W>(
  rows: readonly StoredRow<W>[],
  keep: (row: StoredRow<W>) => boolean,
): StoredRow<W> | undefined {
  let found: StoredRow<W> | undefined;
  for (const row of rows) {
    if (
      keep(row) &&
      (found === undefined ||
        row.sortMs > found.sortMs ||
        (row.sortMs === found.sortMs && row.rowKey > found.rowKey))
    )
      found = row;
  }
  return found;
}

/**
 * What a re-scan finds changed in data the account already holds, as the sandbox `periodic-scan` replays it: the
 * payroll system restated the newest paystub (`paystubs.updated`; its `updated_at` moves and `metadata.restated_at`
 * says when), and a gig platform dropped its newest cancelled gig (`gigs.removed`; a cancelled gig paid nothing, so
 * no total changes).
 */
export function applyCorrections(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  if (account.model === null) return [];
  const now = ctx.clock.now();
  const webhooks: QueuedWebhook[] = [];
  const paystubs = ctx.state.data.paystubs;
  const stub = newest(paystubs.forAccount(account.id), () => true);
  if (stub) {
    const at = now.toISOString();
    const restated = {
      ...stub,
      wire: { ...stub.wire, updated_at: at, metadata: { ...stub.wire.metadata, restated_at: at } },
    };
    paystubs.replace(restated);
    webhooks.push(
      ...dataEvent(
        ctx,
        account,
        'paystubs.updated',
        () => ({ paystub: stub.id }),
        () => restated.wire,
      ),
    );
  }
  const gigs = ctx.state.data.gigs;
  const cancelled = newest(gigs.forAccount(account.id), (row) => row.wire.status === 'cancelled');
  if (cancelled) {
    gigs.remove(cancelled);
    webhooks.push(...dataEvent(ctx, account, 'gigs.removed', () => ({ gig: cancelled.id })));
  }
  return webhooks;
}

/**
 * Ongoing refresh up to the mock clock: every connected, refreshing account gets the pay periods now due. Runs on
 * every request, so it returns at once until the earliest pending pay date has passed.
 */
export function catchUp(ctx: Ctx): void {
  const now = ctx.clock.now();
  if (now.getTime() < ctx.state.refreshDueMs) return;
  let next = Number.POSITIVE_INFINITY;
  for (const account of ctx.state.accounts.values()) {
    const model = account.model;
    if (model === null) continue;
    const eligible = account.connection.status === 'connected' && account.ongoingRefresh === 'enabled';
    if (eligible && now.getTime() >= model.nextDueMs)
      addPeriods(ctx, account, periodsUntil(model.input, now));
    next = Math.min(next, model.nextDueMs);
  }
  ctx.state.refreshDueMs = next;
}
