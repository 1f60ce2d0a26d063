/**
 * What happens to an Item upstream, shared by the sandbox verbs and the admin scenarios: each changes the Item the
 * way Plaid would and queues the ITEM webhook Plaid sends for it.
 */
import type { QueuedWebhook } from '@reconnect-kit/mock-engine';
import type { Ctx } from '../http/api.js';
import { plaidErrorBody } from '../http/plaid-errors.js';
import { enqueueItemWebhook } from '../webhooks.js';
import { plaidTime } from './ids.js';
import type { PlaidItem } from './state.js';

/** The login stopped working: `ITEM_LOGIN_REQUIRED` on the Item and an `ITEM: ERROR` webhook. */
export function requireLogin(ctx: Ctx, item: PlaidItem): QueuedWebhook {
  item.error = plaidErrorBody('ITEM_LOGIN_REQUIRED');
  return enqueueItemWebhook(ctx, item, 'ERROR', { error: item.error });
}

/** The institution locked the user's account (too many attempts): `ITEM_LOCKED` and an `ITEM: ERROR` webhook. */
export function lockItem(ctx: Ctx, item: PlaidItem): QueuedWebhook {
  item.error = plaidErrorBody('ITEM_LOCKED');
  return enqueueItemWebhook(ctx, item, 'ERROR', { error: item.error });
}

/** The user fixed the login elsewhere: the error is gone and `LOGIN_REPAIRED` is sent. */
export function repairLogin(ctx: Ctx, item: PlaidItem): QueuedWebhook {
  item.error = null;
  return enqueueItemWebhook(ctx, item, 'LOGIN_REPAIRED');
}

/**
 * The user's consent ends at `at`; the Item works until then. An Item whose consent already ends in the future is
 * reminded of that same date (the consent's end does not move because Plaid reminds).
 */
export function expireConsentAt(ctx: Ctx, item: PlaidItem, at: Date): QueuedWebhook {
  const current = item.consentExpirationTime;
  item.consentExpirationTime = current && current > ctx.clock.now() ? current : at;
  return enqueueItemWebhook(ctx, item, 'PENDING_EXPIRATION', {
    consent_expiration_time: plaidTime(item.consentExpirationTime),
  });
}

export type DisconnectReason = 'INSTITUTION_MIGRATION' | 'INSTITUTION_TOKEN_EXPIRATION';

/** The Item stops working at `at` unless update mode runs; an announced future disconnect is announced again. */
export function announceDisconnect(
  ctx: Ctx,
  item: PlaidItem,
  at: Date,
  reason: DisconnectReason,
): QueuedWebhook {
  const current = item.pendingDisconnect;
  item.pendingDisconnect = current && current.at > ctx.clock.now() ? current : { at, reason };
  return enqueueItemWebhook(ctx, item, 'PENDING_DISCONNECT', {
    reason: item.pendingDisconnect.reason,
    disconnect_time: plaidTime(item.pendingDisconnect.at),
  });
}

export function offerNewAccounts(ctx: Ctx, item: PlaidItem): QueuedWebhook {
  return enqueueItemWebhook(ctx, item, 'NEW_ACCOUNTS_AVAILABLE', { error: null });
}

/** The user revoked the app's access at Plaid (my.plaid.com or the bank's consent portal): terminal. */
export function revokePermission(ctx: Ctx, item: PlaidItem): QueuedWebhook {
  item.error = plaidErrorBody('USER_PERMISSION_REVOKED');
  return enqueueItemWebhook(ctx, item, 'USER_PERMISSION_REVOKED', { error: item.error });
}

/**
 * The user revoked access to one account at the institution's portal: it leaves the Item (the Item keeps its
 * other accounts; when none is left, it is as good as revoked and answers USER_PERMISSION_REVOKED).
 */
export function revokeAccount(ctx: Ctx, item: PlaidItem, accountId: string): QueuedWebhook {
  item.accounts = item.accounts.filter((account) => account.account_id !== accountId);
  if (item.accounts.length === 0) item.error = plaidErrorBody('USER_PERMISSION_REVOKED');
  return enqueueItemWebhook(ctx, item, 'USER_ACCOUNT_REVOKED', { account_id: accountId });
}
