/**
 * Wire shapes of the Argyle v2 objects, built from the mock's records. Key order follows recorded traffic:
 * REST accounts end with `availability, ongoing_refresh`; the webhook `resource` puts `ongoing_refresh` before
 * `availability`, omits `availability.user_uploads` and uses microsecond timestamps (all three as recorded).
 */
import type { ArgyleAccount, Availability } from '../generated/account.js';
import type { ArgyleInvite } from '../generated/invite.js';
import type { ArgyleUser } from '../generated/user.js';
import type { ArgyleWebhookAccount } from '../generated/webhook-accounts.js';
import type { ArgyleWebhookSubscription } from '../generated/webhook-subscription.js';
import type {
  AccountRecord,
  ArgyleState,
  DataSetName,
  DataWindow,
  InviteRecord,
  SyncState,
  UserRecord,
  WebhookSubscriptionRecord,
} from './state.js';

const SANDBOX_SOURCE = 'argyle_sandbox';

type TimestampFormat = (date: Date) => string;

/**
 * `toISOString` costs about 0.4 µs and an account read formats up to nine timestamps, most of them unchanged since
 * the last read: the string is kept per Date object, checked against its time so a Date changed in place is
 * formatted again (an entry goes with its Date).
 */
const isoStrings = new WeakMap<Date, { readonly ms: number; readonly iso: string }>();

function isoString(date: Date): string {
  const ms = date.getTime();
  const cached = isoStrings.get(date);
  if (cached !== undefined && cached.ms === ms) return cached.iso;
  const iso = date.toISOString();
  isoStrings.set(date, { ms, iso });
  return iso;
}

const restTime: TimestampFormat = isoString;
/** `2026-01-29T19:26:53.846Z` → `2026-01-29T19:26:53.846000Z`, the precision seen in recorded webhooks. */
export const webhookTime: TimestampFormat = (date) => isoString(date).replace('Z', '000Z');

function nullableTime(date: Date | null, format: TimestampFormat): string | null {
  return date === null ? null : format(date);
}

/** `availability` of a counted data set: its sync state plus the count and date window of the account's records. */
function counted(
  window: DataWindow,
  sync: SyncState,
  format: TimestampFormat,
): NonNullable<Availability['paystubs']> {
  return {
    status: sync.status,
    updated_at: format(sync.updatedAt),
    available_count: window.count,
    available_from: window.from,
    available_to: window.to,
  };
}

/** `user_uploads` is sent by the REST API only (the webhook `resource` omits it). */
function availability(
  state: ArgyleState,
  account: AccountRecord,
  format: TimestampFormat,
  withUserUploads: boolean,
): Availability {
  const sync = account.availability;
  const plain = (set: DataSetName) =>
    sync === null ? null : { status: sync[set].status, updated_at: format(sync[set].updatedAt) };
  const count = (set: 'paystubs' | 'gigs' | 'shifts') =>
    sync === null ? null : counted(state.data[set].window(account.id), sync[set], format);
  const sets: Availability = {
    gigs: count('gigs'),
    shifts: count('shifts'),
    paystubs: count('paystubs'),
    payroll_documents: plain('payroll_documents'),
    identities: plain('identities'),
    ratings: plain('ratings'),
    vehicles: plain('vehicles'),
    deposit_destinations: plain('deposit_destinations'),
    user_forms: account.kind === 'user_forms' ? filesAvailability(state.userForms, account, format) : null,
  };
  if (withUserUploads) {
    sets.user_uploads =
      account.kind === 'user_uploads' ? filesAvailability(state.userUploads, account, format) : null;
  }
  return sets;
}

/** A response-form or document upload account: its files, all processed (the mock runs no OCR). */
function filesAvailability(
  files: ReadonlyMap<string, { readonly accountId: string }>,
  account: AccountRecord,
  format: TimestampFormat,
): NonNullable<Availability['user_uploads']> {
  let count = 0;
  for (const file of files.values()) if (file.accountId === account.id) count += 1;
  return {
    status: 'synced',
    updated_at: format(account.updatedAt),
    files_count: count,
    in_progress_count: 0,
  };
}

/** The employers of the account's employments (several on a payroll platform Item), or the Item's (or form's) name. */
export function accountEmployers(state: ArgyleState, account: AccountRecord): string[] {
  // A document upload account names no employer.
  if (account.kind === 'user_uploads') return [];
  const employments = state.data.employments.forAccount(account.id);
  return employments.length === 0 ? [account.employer] : employments.map((row) => row.wire.employer ?? '');
}

/**
 * The fields both shapes open with. The callers append the rest in their own key order instead of spreading this
 * object into a new one: a spread copy is several times slower in V8 than adding properties.
 */
function accountHead(state: ArgyleState, account: AccountRecord, format: TimestampFormat): ArgyleAccount {
  return {
    id: account.id,
    user: account.userId,
    employers: accountEmployers(state, account),
    item: account.itemId,
    source: SANDBOX_SOURCE,
    created_at: format(account.createdAt),
    updated_at: format(account.updatedAt),
    scanned_at: nullableTime(account.scannedAt, format),
    connection: {
      status: account.connection.status,
      error_code: account.connection.errorCode,
      error_message: account.connection.errorMessage,
      updated_at: nullableTime(account.connection.updatedAt, format),
    },
    direct_deposit_switch: {
      status: 'idle' as const,
      error_code: null,
      error_message: null,
      updated_at: format(account.ddsUpdatedAt),
    },
  };
}

export function serializeAccount(state: ArgyleState, account: AccountRecord): ArgyleAccount {
  const wire = accountHead(state, account, restTime);
  wire.availability = availability(state, account, restTime, true);
  wire.ongoing_refresh = { status: account.ongoingRefresh };
  return wire;
}

export function serializeWebhookAccount(state: ArgyleState, account: AccountRecord): ArgyleWebhookAccount {
  const wire: ArgyleWebhookAccount = accountHead(state, account, webhookTime);
  wire.ongoing_refresh = { status: account.ongoingRefresh };
  wire.availability = availability(state, account, webhookTime, false);
  return wire;
}

/** Items and employers of the user's accounts that have connected at least once. */
export function serializeUser(state: ArgyleState, user: UserRecord): ArgyleUser {
  const items = new Set<string>();
  const employers = new Set<string>();
  for (const account of state.accounts.values()) {
    if (account.userId !== user.id || account.scannedAt === null) continue;
    items.add(account.itemId);
    for (const employer of accountEmployers(state, account)) employers.add(employer);
  }
  return {
    id: user.id,
    created_at: restTime(user.createdAt),
    items_connected: [...items],
    employers_connected: [...employers],
    external_metadata: user.externalMetadata,
    external_id: user.externalId,
  };
}

export function serializeInvite(
  invite: InviteRecord,
  links: { url: string; userToken: string | null },
): ArgyleInvite {
  return {
    id: invite.id,
    user: invite.userId,
    user_token: links.userToken,
    email: invite.email,
    phone_number: invite.phoneNumber,
    full_name: `${invite.firstName} ${invite.lastName}`,
    first_name: invite.firstName,
    last_name: invite.lastName,
    revoked_at: nullableTime(invite.revokedAt, restTime),
    status: invite.status,
    group_id: null,
    url: links.url,
    created_at: restTime(invite.createdAt),
    updated_at: restTime(invite.updatedAt),
    invited_at: restTime(invite.invitedAt),
    flow_id: invite.flowId,
    flow_items: [...invite.flowItems],
    reply_to: [],
    deliveries: invite.deliveries.map((delivery) => ({
      id: delivery.id,
      method: delivery.method,
      status: delivery.status,
      sent_at: restTime(delivery.sentAt),
      updated_at: restTime(delivery.sentAt),
    })),
    invite_template_id: null,
  };
}

export function serializeWebhookSubscription(
  subscription: WebhookSubscriptionRecord,
): ArgyleWebhookSubscription {
  return {
    id: subscription.id,
    name: subscription.name,
    events: subscription.events,
    config: { ...subscription.config },
    secret: subscription.secret,
    url: subscription.url,
    created_at: restTime(subscription.createdAt),
    updated_at: restTime(subscription.updatedAt),
    last_sent_at: nullableTime(subscription.lastSentAt, restTime),
  };
}
