/**
 * The Argyle mock's in-memory state. Records keep native types (Date, numbers); the wire shapes are built by
 * `serialize.ts` so that key order and formatting live in one place. `rowKey` is a monotonic sequence number that
 * orders lists and anchors pagination cursors (stable when records are deleted between pages).
 */
import type { MockConnectionErrorCode } from './connection-errors.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'error';
export type OngoingRefreshStatus = 'idle' | 'enabled' | 'disabled';
export type AvailabilityStatus = 'in_progress' | 'synced' | 'sync_failed';

export interface UserRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly createdAt: Date;
  readonly externalId: string | null;
  readonly externalMetadata: { [key: string]: unknown };
}

export interface ConnectionRecord {
  status: ConnectionStatus;
  errorCode: MockConnectionErrorCode | null;
  errorMessage: string | null;
  updatedAt: Date | null;
}

export interface AccountRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly userId: string;
  readonly itemId: string;
  readonly employer: string;
  /** Sandbox username used to log in: identifies "the same payroll account" for duplicate detection. */
  readonly login: string;
  readonly createdAt: Date;
  updatedAt: Date;
  scannedAt: Date | null;
  connection: ConnectionRecord;
  ddsUpdatedAt: Date;
  ongoingRefresh: OngoingRefreshStatus;
  /** Sync state of the data sets the mock serves (paystubs, identities); null until the first connect. */
  availability: { status: AvailabilityStatus; updatedAt: Date } | null;
  /** Armed by `argyle.invalid_credentials_on_reconnect`: the next reconnect fails with this code. */
  failNextReconnectWith: MockConnectionErrorCode | null;
  scanCount: number;
}

export interface PaystubRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly accountId: string;
  readonly userId: string;
  readonly employer: string;
  readonly paystubDate: Date;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly grossPay: string;
  readonly netPay: string;
  readonly createdAt: Date;
}

export type InviteStatus = 'sent' | 'initiated' | 'attempted' | 'completed' | 'revoked';

export interface InviteDelivery {
  readonly id: string;
  readonly method: 'email' | 'sms';
  readonly status: 'sent';
  readonly sentAt: Date;
}

export interface InviteRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  readonly phoneNumber: string | null;
  readonly externalId: string | null;
  readonly flowId: string | null;
  readonly flowItems: readonly string[];
  readonly createdAt: Date;
  updatedAt: Date;
  invitedAt: Date;
  revokedAt: Date | null;
  status: InviteStatus;
  deliveries: InviteDelivery[];
}

export interface WebhookSubscriptionRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly name: string;
  /** Validated non-empty on creation. */
  readonly events: [string, ...string[]];
  readonly url: string;
  readonly secret: string | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  updatedAt: Date;
  lastSentAt: Date | null;
}

/** A Link login (or one-click reconnect) waiting for its MFA code. */
export interface MfaChallenge {
  readonly id: string;
  readonly accountId: string;
  readonly expiresAt: Date;
}

export interface ArgyleState {
  nextRowKey: number;
  readonly users: Map<string, UserRecord>;
  readonly accounts: Map<string, AccountRecord>;
  readonly paystubs: Map<string, PaystubRecord>;
  /** The same paystubs by account id, each list in paystub date order (see `addPaystub`). */
  readonly paystubsByAccount: Map<string, PaystubRecord[]>;
  readonly invites: Map<string, InviteRecord>;
  readonly webhooks: Map<string, WebhookSubscriptionRecord>;
  readonly mfaChallenges: Map<string, MfaChallenge>;
}

export function createArgyleState(): ArgyleState {
  return {
    nextRowKey: 1,
    users: new Map(),
    accounts: new Map(),
    paystubs: new Map(),
    paystubsByAccount: new Map(),
    invites: new Map(),
    webhooks: new Map(),
    mfaChallenges: new Map(),
  };
}

export function takeRowKey(state: ArgyleState): number {
  const rowKey = state.nextRowKey;
  state.nextRowKey += 1;
  return rowKey;
}

/** Stores a paystub under its id and in its account's date-ordered list. */
export function addPaystub(state: ArgyleState, paystub: PaystubRecord): void {
  state.paystubs.set(paystub.id, paystub);
  const list = state.paystubsByAccount.get(paystub.accountId);
  if (!list) {
    state.paystubsByAccount.set(paystub.accountId, [paystub]);
    return;
  }
  list.push(paystub);
  // Scans only add later pay periods, so this sort runs only if that ever changes.
  const previous = list[list.length - 2];
  if (previous && previous.paystubDate > paystub.paystubDate) {
    list.sort((a, b) => a.paystubDate.getTime() - b.paystubDate.getTime());
  }
}

/** An account's paystubs, oldest paystub date first (empty if it has none). */
export function accountPaystubs(state: ArgyleState, accountId: string): readonly PaystubRecord[] {
  return state.paystubsByAccount.get(accountId) ?? [];
}

/** Drops every paystub of an account. */
export function removeAccountPaystubs(state: ArgyleState, accountId: string): void {
  for (const paystub of accountPaystubs(state, accountId)) state.paystubs.delete(paystub.id);
  state.paystubsByAccount.delete(accountId);
}
