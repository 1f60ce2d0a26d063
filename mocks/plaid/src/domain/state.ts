/** The mock's state: Items (with their accounts and tokens), link tokens, public tokens and users. */
import type { PlaidErrorBody } from '../http/plaid-errors.js';

export interface PlaidAccount {
  readonly account_id: string;
  readonly name: string;
  readonly official_name: string | null;
  readonly mask: string;
  readonly type: 'depository' | 'other';
  readonly subtype: 'checking' | 'savings' | 'cd' | 'payroll';
  readonly available: number;
  readonly current: number;
}

/** A data-call outage for one Item (the institution is down or not responding) until `until`. */
export interface InstitutionOutage {
  readonly code: 'INSTITUTION_DOWN' | 'INSTITUTION_NOT_RESPONDING';
  readonly until: Date;
}

export interface PlaidItem {
  readonly itemId: string;
  readonly accessToken: string;
  readonly institutionId: string;
  readonly products: readonly string[];
  readonly createdAt: Date;
  /** The user (`/user/create`) the Item belongs to, for payroll income. */
  readonly userToken: string | null;
  webhook: string | null;
  /** What `/item/get` shows and every data call answers while it is set (e.g. ITEM_LOGIN_REQUIRED). */
  error: PlaidErrorBody | null;
  accounts: PlaidAccount[];
  /** Accounts at the institution not yet shared; update mode with account selection adds them. */
  newAccounts: PlaidAccount[];
  consentExpirationTime: Date | null;
  /** Announced by `PENDING_DISCONNECT`: when the Item stops working unless update mode runs, and why. */
  pendingDisconnect: { readonly at: Date; readonly reason: string } | null;
  outage: InstitutionOutage | null;
  lastWebhook: { readonly sentAt: Date; readonly code: string } | null;
  removed: boolean;
}

export interface LinkSession {
  readonly linkSessionId: string;
  readonly startedAt: Date;
  finishedAt: Date | null;
  /** New mode only: the public token Link handed out (update mode keeps the access token). */
  publicToken: string | null;
  itemId: string | null;
}

export interface LinkTokenRecord {
  readonly linkToken: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly clientName: string;
  readonly language: string;
  readonly countryCodes: readonly string[];
  readonly products: readonly string[];
  readonly webhook: string | null;
  readonly redirectUri: string | null;
  readonly clientUserId: string;
  readonly userToken: string | null;
  /** Update mode: the Item the token was created for with its `access_token`. */
  readonly updateItemId: string | null;
  readonly accountSelectionEnabled: boolean;
  /** Set when the token was created with `hosted_link`: the page id in `hosted_link_url`. */
  readonly hostedLinkId: string | null;
  readonly completionRedirectUri: string | null;
  readonly sessions: LinkSession[];
}

export interface PublicTokenRecord {
  readonly itemId: string;
  readonly expiresAt: Date;
}

export interface PlaidUser {
  readonly userId: string;
  readonly clientUserId: string;
}

export interface PlaidMockState {
  readonly items: Map<string, PlaidItem>;
  readonly itemIdByAccessToken: Map<string, string>;
  readonly publicTokens: Map<string, PublicTokenRecord>;
  readonly linkTokens: Map<string, LinkTokenRecord>;
  /** `hosted_link_url` page id → link token. */
  readonly hostedLinks: Map<string, string>;
  readonly users: Map<string, PlaidUser>;
}

export function createPlaidState(): PlaidMockState {
  return {
    items: new Map(),
    itemIdByAccessToken: new Map(),
    publicTokens: new Map(),
    linkTokens: new Map(),
    hostedLinks: new Map(),
    users: new Map(),
  };
}
