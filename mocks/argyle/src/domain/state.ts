/**
 * The Argyle mock's in-memory state. Records keep native types (Date, numbers); the wire shapes are built by
 * `serialize.ts` so that key order and formatting live in one place. `rowKey` is a monotonic sequence number that
 * orders lists and anchors pagination cursors (stable when records are deleted between pages).
 */
import type { MockConnectionErrorCode } from './connection-errors.js';
import type { AccountData, AccountModelInput, DataRow } from './data-model.js';

export type ConnectionStatus = 'connecting' | 'connected' | 'error';
export type OngoingRefreshStatus = 'idle' | 'enabled' | 'disabled';
export type AvailabilityStatus = 'in_progress' | 'synced' | 'sync_failed';

export interface UserRecord {
  readonly id: string;
  readonly rowKey: number;
  /** Identifies the user's shareable Link URL (`/link/share/<shareId>`), which never expires. */
  readonly shareId: string;
  readonly createdAt: Date;
  externalId: string | null;
  externalMetadata: { [key: string]: unknown };
}

export interface ConnectionRecord {
  status: ConnectionStatus;
  errorCode: MockConnectionErrorCode | null;
  errorMessage: string | null;
  updatedAt: Date | null;
}

/**
 * `payroll`: a login to a payroll or gig platform. `user_forms`: what Link creates when the user submits its response
 * form (no employer found). `user_uploads`: the user's one document upload account, holding all of their uploads.
 */
export type AccountKind = 'payroll' | 'user_forms' | 'user_uploads';

export interface AccountRecord {
  readonly id: string;
  readonly kind: AccountKind;
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
  /** Sync state per data set (`availability`); null until the first connect. */
  availability: Record<DataSetName, SyncState> | null;
  /** What the account's data is generated from (set at the first connect) and how many pay periods it holds. */
  model: { readonly input: AccountModelInput; periods: number; nextDueMs: number } | null;
  /** Armed by `argyle.invalid_credentials_on_reconnect`: the next reconnect fails with this code. */
  failNextReconnectWith: MockConnectionErrorCode | null;
  scanCount: number;
}

/** Argyle's generated data sets, as the keys of `availability` name them (user forms and uploads are counted apart). */
export const DATA_SETS = [
  'identities',
  'paystubs',
  'payroll_documents',
  'deposit_destinations',
  'gigs',
  'shifts',
  'vehicles',
  'ratings',
] as const;
export type DataSetName = (typeof DATA_SETS)[number];

export interface SyncState {
  status: AvailabilityStatus;
  updatedAt: Date;
}

/** A generated record as stored: the row plus its owner and its place in creation order. */
export interface StoredRow<W> extends DataRow<W> {
  readonly rowKey: number;
  readonly accountId: string;
  readonly userId: string;
}

/** How many records an account has and the dates they span (second precision, as `availability` shows them). */
export interface DataWindow {
  readonly count: number;
  readonly from: string | null;
  readonly to: string | null;
}

const EMPTY_WINDOW: DataWindow = { count: 0, from: null, to: null };

const secondsIso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Records of one resource by id and by account, in the order they were added. */
export class DataStore<W> {
  readonly byId = new Map<string, StoredRow<W>>();
  readonly #byAccount = new Map<string, StoredRow<W>[]>();
  /** Account reads show the window on every request; it changes only when records are added or removed. */
  readonly #windows = new Map<string, DataWindow>();
  #version = 0;

  /** Changes whenever a record is added, replaced or removed: what was built from the store before is stale. */
  get version(): number {
    return this.#version;
  }

  add(row: StoredRow<W>): void {
    this.#version += 1;
    this.#windows.delete(row.accountId);
    this.byId.set(row.id, row);
    const list = this.#byAccount.get(row.accountId);
    if (list) list.push(row);
    else this.#byAccount.set(row.accountId, [row]);
  }

  forAccount(accountId: string): readonly StoredRow<W>[] {
    return this.#byAccount.get(accountId) ?? [];
  }

  /** The account's records dated `sinceMs` or later (all of them by default; that window is cached). */
  window(accountId: string, sinceMs = Number.NEGATIVE_INFINITY): DataWindow {
    const all = sinceMs === Number.NEGATIVE_INFINITY;
    const cached = all ? this.#windows.get(accountId) : undefined;
    if (cached) return cached;
    let count = 0;
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const row of this.forAccount(accountId)) {
      if (row.sortMs < sinceMs) continue;
      count += 1;
      if (row.sortMs < from) from = row.sortMs;
      if (row.sortMs > to) to = row.sortMs;
    }
    const window = count === 0 ? EMPTY_WINDOW : { count, from: secondsIso(from), to: secondsIso(to) };
    if (all) this.#windows.set(accountId, window);
    return window;
  }

  /** Swaps a record for its corrected version (same id, same place in its lists). */
  replace(row: StoredRow<W>): void {
    const list = this.#byAccount.get(row.accountId);
    const index = list?.findIndex((entry) => entry.id === row.id) ?? -1;
    if (!list || index < 0) throw new Error(`no record ${row.id} to replace`);
    this.#version += 1;
    list[index] = row;
    this.byId.set(row.id, row);
    this.#windows.delete(row.accountId);
  }

  /** Drops one record (the platform deleted it). */
  remove(row: StoredRow<W>): void {
    this.#version += 1;
    const list = this.#byAccount.get(row.accountId) ?? [];
    this.#byAccount.set(
      row.accountId,
      list.filter((entry) => entry.id !== row.id),
    );
    this.byId.delete(row.id);
    this.#windows.delete(row.accountId);
  }

  removeAccount(accountId: string): void {
    this.#version += 1;
    for (const row of this.forAccount(accountId)) this.byId.delete(row.id);
    this.#byAccount.delete(accountId);
    this.#windows.delete(accountId);
  }
}

export type DataStores = { readonly [K in keyof AccountData]: DataStore<AccountData[K][number]['wire']> };

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

export type ReportType = 'voe' | 'voie' | 'voe-mortgage' | 'voie-mortgage';

export interface ReportRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly userId: string;
  readonly type: ReportType;
  readonly createdAt: Date;
  readonly status: 'waiting_for_sync' | 'generated';
  readonly accounts: readonly {
    readonly id: string;
    readonly item: string;
    readonly lastSyncedAt: Date | null;
  }[];
  readonly metadata: { [key: string]: unknown };
  readonly externalId: string | null;
}

export type VerificationState = 'PENDING' | 'PROCESSING' | 'COMPLETED';
export type VerificationCode = 'pending' | 'user_session_started' | 'authenticated' | 'completed';

/** A payroll verification: completed (with a report) once its user has a synced account. */
export interface VerificationRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly userId: string;
  readonly reportType: 'voie' | 'voe';
  readonly createdAt: Date;
  updatedAt: Date;
  state: VerificationState;
  code: VerificationCode;
  reportId: string | null;
  loan: { [key: string]: unknown } | null;
  billing: { [key: string]: unknown } | null;
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

export interface UserFormRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly accountId: string;
  readonly userId: string;
  readonly incomeSource: string;
  readonly payrollProvider: string | null;
  readonly createdAt: Date;
}

export type UserUploadDocumentType =
  | 'paystubs'
  | 'W-2'
  | '1099'
  | 'proof-of-identity'
  | 'proof-of-address'
  | 'miscellaneous';

export interface UserUploadRecord {
  readonly id: string;
  readonly rowKey: number;
  readonly accountId: string;
  readonly userId: string;
  readonly documentType: UserUploadDocumentType;
  readonly fileName: string;
  /** The uploaded part's own content type, served back on download. */
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly createdAt: Date;
}

export interface ArgyleState {
  nextRowKey: number;
  /** The earliest pay date any account's ongoing refresh waits for: requests before it skip the catch-up pass. */
  refreshDueMs: number;
  readonly users: Map<string, UserRecord>;
  readonly accounts: Map<string, AccountRecord>;
  /** Every account's generated data, one store per resource. */
  readonly data: DataStores;
  readonly userForms: Map<string, UserFormRecord>;
  readonly userUploads: Map<string, UserUploadRecord>;
  readonly reports: Map<string, ReportRecord>;
  readonly verifications: Map<string, VerificationRecord>;
  readonly invites: Map<string, InviteRecord>;
  readonly webhooks: Map<string, WebhookSubscriptionRecord>;
  readonly mfaChallenges: Map<string, MfaChallenge>;
}

export function createArgyleState(): ArgyleState {
  return {
    nextRowKey: 1,
    refreshDueMs: Number.POSITIVE_INFINITY,
    users: new Map(),
    accounts: new Map(),
    data: {
      employments: new DataStore(),
      identities: new DataStore(),
      paystubs: new DataStore(),
      payrollDocuments: new DataStore(),
      depositDestinations: new DataStore(),
      gigs: new DataStore(),
      shifts: new DataStore(),
      vehicles: new DataStore(),
      ratings: new DataStore(),
    },
    userForms: new Map(),
    userUploads: new Map(),
    reports: new Map(),
    verifications: new Map(),
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

/** Stores what a sync of `accountId` found, each record with the next row key. */
export function addAccountData(
  state: ArgyleState,
  owner: { accountId: string; userId: string },
  data: AccountData,
): void {
  for (const key of Object.keys(data) as (keyof AccountData)[]) {
    const store = state.data[key] as DataStore<unknown>;
    for (const row of data[key] as DataRow<unknown>[]) {
      store.add({ ...row, rowKey: takeRowKey(state), accountId: owner.accountId, userId: owner.userId });
    }
  }
}

/** Drops every record of an account (revoked or deleted: "data is no longer retrievable"). */
export function removeAccountData(state: ArgyleState, accountId: string): void {
  for (const store of Object.values(state.data) as DataStore<unknown>[]) store.removeAccount(accountId);
  for (const files of [state.userForms, state.userUploads]) {
    for (const [id, file] of files) if (file.accountId === accountId) files.delete(id);
  }
}
