/** Creating Items, finding them by access token, and the wire shapes of Items and accounts. */

import type { Ctx } from '../http/api.js';
import { itemErrorResponse, plaidError } from '../http/plaid-errors.js';
import { newObjectId, newToken, plaidTime } from './ids.js';
import { findInstitution, type SandboxInstitution } from './institutions.js';
import type { PlaidAccount, PlaidItem } from './state.js';

/** How long a public token can be exchanged (Plaid: 30 minutes). */
export const PUBLIC_TOKEN_TTL_MS = 30 * 60_000;
/** The Sandbox products an Item can still add (`available_products`). */
const AVAILABLE_PRODUCTS = ['balance', 'identity', 'investments', 'liabilities'] as const;

function sandboxAccount(
  name: string,
  officialName: string | null,
  mask: string,
  subtype: PlaidAccount['subtype'],
  current: number,
): PlaidAccount {
  return {
    account_id: newObjectId(),
    name,
    official_name: officialName,
    mask,
    type: subtype === 'payroll' ? 'other' : 'depository',
    subtype,
    available: current - 10,
    current,
  };
}

/** The accounts a Sandbox login shares: Plaid's checking and saving accounts, or (at a payroll provider) one payroll account. */
function sandboxAccounts(institution: SandboxInstitution): PlaidAccount[] {
  if (!institution.products.includes('transactions')) {
    return [sandboxAccount('Payroll', null, '4444', 'payroll', 0)];
  }
  return [
    sandboxAccount('Plaid Checking', 'Plaid Gold Standard 0% Interest Checking', '0000', 'checking', 110),
    sandboxAccount('Plaid Saving', 'Plaid Silver Standard 0.1% Interest Saving', '1111', 'savings', 210),
  ];
}

export interface NewItemInput {
  institution: SandboxInstitution;
  products: readonly string[];
  webhook: string | null;
  userToken: string | null;
}

export function createItem(ctx: Ctx, input: NewItemInput): PlaidItem {
  const item: PlaidItem = {
    itemId: newObjectId(),
    accessToken: newToken('access'),
    institutionId: input.institution.institution_id,
    products: [...input.products],
    createdAt: ctx.clock.now(),
    userToken: input.userToken,
    webhook: input.webhook,
    error: null,
    accounts: sandboxAccounts(input.institution),
    newAccounts: [sandboxAccount('Plaid CD', 'Plaid Bronze Standard 0.2% Interest CD', '2222', 'cd', 1000)],
    consentExpirationTime: null,
    pendingDisconnect: null,
    outage: null,
    lastWebhook: null,
    removed: false,
  };
  ctx.state.items.set(item.itemId, item);
  ctx.state.itemIdByAccessToken.set(item.accessToken, item.itemId);
  return item;
}

/** A public token for the Item, exchangeable once within 30 minutes. */
export function issuePublicToken(ctx: Ctx, item: PlaidItem): string {
  const token = newToken('public');
  ctx.state.publicTokens.set(token, {
    itemId: item.itemId,
    expiresAt: new Date(ctx.clock.now().getTime() + PUBLIC_TOKEN_TTL_MS),
  });
  return token;
}

/** The Item behind an access token; a removed Item answers ITEM_NOT_FOUND, an unknown token INVALID_ACCESS_TOKEN. */
export function itemByAccessToken(ctx: Ctx, accessToken: string): PlaidItem {
  const itemId = ctx.state.itemIdByAccessToken.get(accessToken);
  const item = itemId === undefined ? undefined : ctx.state.items.get(itemId);
  if (!item) throw plaidError('INVALID_ACCESS_TOKEN');
  if (item.removed) throw plaidError('ITEM_NOT_FOUND');
  return item;
}

/** For calls that reach the institution: the Item's error, or the institution's outage, is the answer. */
export function requireHealthy(ctx: Ctx, item: PlaidItem): void {
  if (item.error) throw itemErrorResponse(item.error);
  if (item.outage) {
    if (ctx.clock.now() < item.outage.until) throw plaidError(item.outage.code);
    item.outage = null;
  }
}

export function institutionOf(item: PlaidItem): SandboxInstitution {
  const institution = findInstitution(item.institutionId);
  if (!institution) throw new Error(`Item ${item.itemId} names unknown institution ${item.institutionId}`);
  return institution;
}

/** The OpenAPI `Item`. */
export function itemJson(item: PlaidItem) {
  const institution = institutionOf(item);
  return {
    item_id: item.itemId,
    institution_id: institution.institution_id,
    institution_name: institution.name,
    webhook: item.webhook ?? '',
    auth_method: null,
    error: item.error,
    available_products: AVAILABLE_PRODUCTS.filter((product) => !item.products.includes(product)),
    billed_products: [...item.products],
    products: [...item.products],
    consented_products: [...item.products],
    consent_expiration_time: item.consentExpirationTime ? plaidTime(item.consentExpirationTime) : null,
    update_type: 'background',
  };
}

/** The OpenAPI `ItemStatus` of `/item/get`. */
export function itemStatusJson(item: PlaidItem) {
  return {
    investments: null,
    transactions: null,
    last_webhook: item.lastWebhook
      ? { sent_at: plaidTime(item.lastWebhook.sentAt), code_sent: item.lastWebhook.code }
      : null,
  };
}

/** The OpenAPI `AccountBase`; `/accounts/balance/get` adds when the balance was read. */
export function accountJson(account: PlaidAccount, balanceReadAt?: Date) {
  return {
    account_id: account.account_id,
    balances: {
      available: account.available,
      current: account.current,
      limit: null,
      iso_currency_code: 'USD',
      unofficial_currency_code: null,
      ...(balanceReadAt ? { last_updated_datetime: plaidTime(balanceReadAt) } : {}),
    },
    mask: account.mask,
    name: account.name,
    official_name: account.official_name,
    type: account.type,
    subtype: account.subtype,
  };
}
