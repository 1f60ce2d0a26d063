/**
 * Account lifecycle: every change of an account goes through these functions, which update the record and queue
 * exactly the webhooks Argyle sends for it:
 * - created in Link: `accounts.added`;
 * - (re)connected: `accounts.connected` + `accounts.updated` (the reconnect success signal is the same event);
 * - a login/MFA failure in Link: `accounts.failed` + `accounts.updated`;
 * - a connected account later losing its session or credentials (found on a scan): `accounts.updated` only,
 *   as Argyle documents ("accounts.failed is not sent when a connected account later loses access");
 * - a reconnect starting: `accounts.updated` (status `connecting`);
 * - removed (revoked in Link, deleted by API): `accounts.removed`, and the account's data is gone.
 */
import { createHash } from 'node:crypto';
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { CONNECTION_ERROR_MESSAGES, type MockConnectionErrorCode } from './connection-errors.js';
import { findSandboxItem } from './sandbox.js';
import { serializePaystub, serializeWebhookAccount } from './serialize.js';
import {
  type AccountRecord,
  type ArgyleState,
  accountPaystubs,
  addPaystub,
  type PaystubRecord,
  removeAccountPaystubs,
  takeRowKey,
} from './state.js';
import { type AccountEventName, publish } from './webhooks.js';

type Ctx = MockContext<ArgyleState>;

const PAY_PERIOD_DAYS = 14;
const INITIAL_PAYSTUBS = 6;
const DAY_MS = 24 * 60 * 60 * 1000;

function accountEvent(ctx: Ctx, event: AccountEventName, account: AccountRecord): QueuedWebhook[] {
  return publish(ctx, {
    event,
    data: { account: account.id, user: account.userId },
    resource: event === 'accounts.removed' ? undefined : () => serializeWebhookAccount(ctx.state, account),
  });
}

function setConnection(
  account: AccountRecord,
  status: AccountRecord['connection']['status'],
  code: MockConnectionErrorCode | null,
  now: Date,
): void {
  account.connection = {
    status,
    errorCode: code,
    errorMessage: code === null ? null : CONNECTION_ERROR_MESSAGES[code],
    updatedAt: now,
  };
  account.updatedAt = now;
}

export interface NewAccountInput {
  readonly userId: string;
  readonly itemId: string;
  readonly login: string;
}

/** The user submitted credentials in Link: the account exists from now on, still `connecting`. */
export function createAccount(
  ctx: Ctx,
  input: NewAccountInput,
): { account: AccountRecord; webhooks: QueuedWebhook[] } {
  const now = ctx.clock.now();
  const account: AccountRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    userId: input.userId,
    itemId: input.itemId,
    employer: findSandboxItem(input.itemId)?.name ?? input.itemId,
    login: input.login,
    createdAt: now,
    updatedAt: now,
    scannedAt: null,
    // Early in a connection Argyle reports `connection.updated_at: null`.
    connection: { status: 'connecting', errorCode: null, errorMessage: null, updatedAt: null },
    ddsUpdatedAt: now,
    ongoingRefresh: 'idle',
    availability: null,
    failNextReconnectWith: null,
    scanCount: 0,
  };
  ctx.state.accounts.set(account.id, account);
  return { account, webhooks: accountEvent(ctx, 'accounts.added', account) };
}

/** An existing account is being re-authenticated (one-click Reconnect or new credentials). */
export function startReconnect(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  setConnection(account, 'connecting', null, now);
  if (account.availability) account.availability = { status: 'in_progress', updatedAt: now };
  return accountEvent(ctx, 'accounts.updated', account);
}

function addPaystubs(ctx: Ctx, account: AccountRecord, count: number): PaystubRecord[] {
  const now = ctx.clock.now();
  const existing = accountPaystubs(ctx.state, account.id);
  const latest = existing.at(-1)?.paystubDate.getTime() ?? null;
  // The first sync fills past pay periods; later scans add the periods after the latest paystub.
  const firstDate =
    latest === null
      ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - count * PAY_PERIOD_DAYS * DAY_MS
      : latest + PAY_PERIOD_DAYS * DAY_MS;
  const added: PaystubRecord[] = [];
  for (let index = 0; index < count; index++) {
    const paystubDate = new Date(firstDate + index * PAY_PERIOD_DAYS * DAY_MS);
    const gross = 2000 + ((existing.length + index) % 4) * 125;
    const paystub: PaystubRecord = {
      id: ctx.newId(),
      rowKey: takeRowKey(ctx.state),
      accountId: account.id,
      userId: account.userId,
      employer: account.employer,
      paystubDate,
      periodStart: new Date(paystubDate.getTime() - (PAY_PERIOD_DAYS + 3) * DAY_MS),
      periodEnd: new Date(paystubDate.getTime() - 4 * DAY_MS),
      grossPay: gross.toFixed(2),
      netPay: (gross * 0.78).toFixed(2),
      createdAt: now,
    };
    addPaystub(ctx.state, paystub);
    added.push(paystub);
  }
  return added;
}

/** Credentials (and MFA) accepted: the account is connected and synced; the first connect fills its data. */
export function completeConnection(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  const firstConnect = account.scannedAt === null;
  setConnection(account, 'connected', null, now);
  account.scannedAt = now;
  account.ongoingRefresh = 'enabled';
  account.availability = { status: 'synced', updatedAt: now };
  account.failNextReconnectWith = null;
  if (firstConnect) addPaystubs(ctx, account, INITIAL_PAYSTUBS);
  return [
    ...accountEvent(ctx, 'accounts.connected', account),
    ...accountEvent(ctx, 'accounts.updated', account),
  ];
}

function setError(ctx: Ctx, account: AccountRecord, code: MockConnectionErrorCode): void {
  const now = ctx.clock.now();
  setConnection(account, 'error', code, now);
  if (account.availability) account.availability = { status: 'sync_failed', updatedAt: now };
}

/** A login, re-authentication or MFA step failed in Link: `accounts.failed` + `accounts.updated`. */
export function failConnection(
  ctx: Ctx,
  account: AccountRecord,
  code: MockConnectionErrorCode,
): QueuedWebhook[] {
  setError(ctx, account, code);
  return [
    ...accountEvent(ctx, 'accounts.failed', account),
    ...accountEvent(ctx, 'accounts.updated', account),
  ];
}

/** A scan found a connected account broken (logged out, password expired, Argyle failure): `accounts.updated` only. */
export function breakConnection(
  ctx: Ctx,
  account: AccountRecord,
  code: MockConnectionErrorCode,
): QueuedWebhook[] {
  setError(ctx, account, code);
  account.scannedAt = ctx.clock.now();
  return accountEvent(ctx, 'accounts.updated', account);
}

/** Reads and clears the failure armed by `argyle.invalid_credentials_on_reconnect`. */
export function takeArmedFailure(account: AccountRecord): MockConnectionErrorCode | null {
  const code = account.failNextReconnectWith;
  account.failNextReconnectWith = null;
  return code;
}

/** Revoked in Link or deleted via the API: the account and all of its data are gone. */
export function removeAccount(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  ctx.state.accounts.delete(account.id);
  removeAccountPaystubs(ctx.state, account.id);
  for (const challenge of [...ctx.state.mfaChallenges.values()]) {
    if (challenge.accountId === account.id) ctx.state.mfaChallenges.delete(challenge.id);
  }
  return accountEvent(ctx, 'accounts.removed', account);
}

/** 1–5, derived from the account id and scan number so a run is reproducible. */
function scanYield(account: AccountRecord): number {
  const digest = createHash('sha256').update(`${account.id}:${account.scanCount}`).digest();
  return (digest[0]! % 5) + 1;
}

/**
 * The sandbox `periodic-scan`: a connected account gets 1–5 new paystubs (`paystubs.added` each, then
 * `accounts.updated`). While the account is in `error` or `connecting`, data refresh is paused: nothing changes.
 */
export function periodicScan(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  if (account.connection.status !== 'connected') return [];
  account.scanCount += 1;
  const added = addPaystubs(ctx, account, scanYield(account));
  const now = ctx.clock.now();
  account.scannedAt = now;
  account.updatedAt = now;
  account.availability = { status: 'synced', updatedAt: now };
  const webhooks = added.flatMap((paystub) =>
    publish(ctx, {
      event: 'paystubs.added',
      data: { account: account.id, user: account.userId, paystub: paystub.id },
      resource: () => serializePaystub(paystub),
    }),
  );
  return [...webhooks, ...accountEvent(ctx, 'accounts.updated', account)];
}
