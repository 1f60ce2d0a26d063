/**
 * Account lifecycle: every change of an account goes through these functions, which update the record and queue
 * exactly the webhooks Argyle sends for it:
 * - created in Link: `accounts.added`;
 * - (re)connected: `accounts.connected` + `accounts.updated` (the reconnect success signal is the same event);
 * - a login/MFA failure in Link: `accounts.failed` + `accounts.updated`;
 * - a connected account later losing its session or credentials (found on a scan): `accounts.updated` only,
 *   as Argyle documents ("accounts.failed is not sent when a connected account later loses access");
 * - a reconnect starting: `accounts.updated` (status `connecting`);
 * - removed (revoked in Link, deleted by API): `accounts.removed`, and the account's data is gone;
 * - ongoing refresh disabled by the client: `accounts.updated` (error `ongoing_refresh_disabled`).
 * The data sync around a connect (data-set webhooks, `availability`) and ongoing refresh live in `sync.ts`.
 */
import { createHash } from 'node:crypto';
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { accountEvent } from './account-events.js';
import { CONNECTION_ERROR_MESSAGES, type MockConnectionErrorCode } from './connection-errors.js';
import { findSandboxItem } from './sandbox.js';
import {
  type AccountKind,
  type AccountRecord,
  type ArgyleState,
  removeAccountData,
  takeRowKey,
} from './state.js';
import { addPeriods, applyCorrections, firstSync, setAvailability } from './sync.js';

type Ctx = MockContext<ArgyleState>;

/** The Item of response-form and document upload accounts (Argyle documents none for them; see docs/providers/argyle.md). */
export const FILES_ITEM = 'item_000000000';

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

function newAccountRecord(
  ctx: Ctx,
  kind: AccountKind,
  input: NewAccountInput,
  employer: string,
): AccountRecord {
  const now = ctx.clock.now();
  return {
    id: ctx.newId(),
    kind,
    rowKey: takeRowKey(ctx.state),
    userId: input.userId,
    itemId: input.itemId,
    employer,
    login: input.login,
    createdAt: now,
    updatedAt: now,
    scannedAt: null,
    // Early in a connection Argyle reports `connection.updated_at: null`.
    connection: { status: 'connecting', errorCode: null, errorMessage: null, updatedAt: null },
    ddsUpdatedAt: now,
    ongoingRefresh: 'idle',
    availability: null,
    model: null,
    failNextReconnectWith: null,
    scanCount: 0,
  };
}

/** The user submitted credentials in Link: the account exists from now on, still `connecting`. */
export function createAccount(
  ctx: Ctx,
  input: NewAccountInput,
): { account: AccountRecord; webhooks: QueuedWebhook[] } {
  const employer = findSandboxItem(input.itemId)?.name ?? input.itemId;
  const account = newAccountRecord(ctx, 'payroll', input, employer);
  ctx.state.accounts.set(account.id, account);
  return { account, webhooks: accountEvent(ctx, 'accounts.added', account) };
}

/**
 * The account of a submitted response form (employer: what the user typed) or the user's document upload account:
 * connected at once, nothing to log in to or refresh; `accounts.added` + `accounts.connected`.
 */
export function createFilesAccount(
  ctx: Ctx,
  userId: string,
  kind: Exclude<AccountKind, 'payroll'>,
  employer: string,
): { account: AccountRecord; webhooks: QueuedWebhook[] } {
  const account = newAccountRecord(ctx, kind, { userId, itemId: FILES_ITEM, login: '' }, employer);
  setConnection(account, 'connected', null, account.createdAt);
  ctx.state.accounts.set(account.id, account);
  return {
    account,
    webhooks: [
      ...accountEvent(ctx, 'accounts.added', account),
      ...accountEvent(ctx, 'accounts.connected', account),
    ],
  };
}

/** An existing account is being re-authenticated (one-click Reconnect or new credentials). */
export function startReconnect(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  setConnection(account, 'connecting', null, now);
  setAvailability(account, 'in_progress', now);
  return accountEvent(ctx, 'accounts.updated', account);
}

/**
 * Credentials (and MFA) accepted: `accounts.connected` + `accounts.updated`. The first connect then syncs the
 * account's data (data-set webhooks, `availability` progressing to `synced`); a reconnect resumes ongoing refresh,
 * whose next catch-up adds what was paid while refresh was paused.
 */
export function completeConnection(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  const firstConnect = account.model === null;
  setConnection(account, 'connected', null, now);
  account.scannedAt = now;
  account.ongoingRefresh = 'enabled';
  account.failNextReconnectWith = null;
  if (firstConnect) return firstSync(ctx, account);
  setAvailability(account, 'synced', now);
  return [
    ...accountEvent(ctx, 'accounts.connected', account),
    ...accountEvent(ctx, 'accounts.updated', account),
  ];
}

function setError(ctx: Ctx, account: AccountRecord, code: MockConnectionErrorCode): void {
  const now = ctx.clock.now();
  setConnection(account, 'error', code, now);
  setAvailability(account, 'sync_failed', now);
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

/**
 * `POST /v2/accounts/{id}/disable-ongoing-refresh`: no more scans; the data stays readable. Link then shows the
 * `ongoing_refresh_disabled` error, and a reconnect re-enables refresh.
 */
export function disableOngoingRefresh(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  const now = ctx.clock.now();
  account.ongoingRefresh = 'disabled';
  setConnection(account, 'error', 'ongoing_refresh_disabled', now);
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
  removeAccountData(ctx.state, account.id);
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
 * The sandbox `periodic-scan`: a connected account gets the corrections a re-scan finds (`paystubs.updated`,
 * `gigs.removed`; see `applyCorrections`), then its next 1–5 pay periods at once (`paystubs.added` and the other
 * `*.added` for each record, then `accounts.updated`). While the account is in `error` or `connecting`, data
 * refresh is paused: nothing changes.
 */
export function periodicScan(ctx: Ctx, account: AccountRecord): QueuedWebhook[] {
  if (account.connection.status !== 'connected' || account.model === null) return [];
  account.scanCount += 1;
  const corrections = applyCorrections(ctx, account);
  return [...corrections, ...addPeriods(ctx, account, account.model.periods + scanYield(account))];
}
