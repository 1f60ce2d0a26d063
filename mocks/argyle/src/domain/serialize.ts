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
import {
  type AccountRecord,
  type ArgyleState,
  accountPaystubs,
  type InviteRecord,
  type PaystubRecord,
  type UserRecord,
  type WebhookSubscriptionRecord,
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
const webhookTime: TimestampFormat = (date) => isoString(date).replace('Z', '000Z');

function nullableTime(date: Date | null, format: TimestampFormat): string | null {
  return date === null ? null : format(date);
}

/** Paystub dates are calendar dates; Argyle serves them at midnight UTC without fractional seconds. */
function dayTime(date: Date): string {
  return `${isoString(date).slice(0, 10)}T00:00:00Z`;
}

/** `user_uploads` is sent by the REST API only (the webhook `resource` omits it). */
function availability(
  state: ArgyleState,
  account: AccountRecord,
  format: TimestampFormat,
  withUserUploads: boolean,
): Availability {
  const sync = account.availability;
  // Every data set shares one sync time: format it once, not once per data set.
  const updatedAt = sync === null ? null : format(sync.updatedAt);
  const counted = (count: number, from: string | null, to: string | null) =>
    sync === null
      ? null
      : {
          status: sync.status,
          updated_at: updatedAt,
          available_count: count,
          available_from: from,
          available_to: to,
        };
  const plain = () => (sync === null ? null : { status: sync.status, updated_at: updatedAt });
  const paystubs = accountPaystubs(state, account.id);
  const first = paystubs[0]?.paystubDate;
  const last = paystubs.at(-1)?.paystubDate;
  const sets: Availability = {
    gigs: counted(0, null, null),
    shifts: counted(0, null, null),
    paystubs: counted(paystubs.length, first ? dayTime(first) : null, last ? dayTime(last) : null),
    payroll_documents: plain(),
    identities: plain(),
    ratings: plain(),
    vehicles: plain(),
    deposit_destinations: plain(),
    user_forms: null,
  };
  if (withUserUploads) sets.user_uploads = null;
  return sets;
}

/**
 * The fields both shapes open with. The callers append the rest in their own key order instead of spreading this
 * object into a new one: a spread copy is several times slower in V8 than adding properties.
 */
function accountHead(account: AccountRecord, format: TimestampFormat): ArgyleAccount {
  return {
    id: account.id,
    user: account.userId,
    employers: [account.employer],
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
  const wire = accountHead(account, restTime);
  wire.availability = availability(state, account, restTime, true);
  wire.ongoing_refresh = { status: account.ongoingRefresh };
  return wire;
}

export function serializeWebhookAccount(state: ArgyleState, account: AccountRecord): ArgyleWebhookAccount {
  const wire: ArgyleWebhookAccount = accountHead(account, webhookTime);
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
    employers.add(account.employer);
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

/**
 * Paystub wire shape: a subset of Argyle's v2 paystub object (no fixture schema covers paystubs yet); amounts are
 * decimal strings as Argyle sends them.
 */
export function serializePaystub(paystub: PaystubRecord) {
  return {
    id: paystub.id,
    account: paystub.accountId,
    employer: paystub.employer,
    status: 'completed',
    paystub_date: dayTime(paystub.paystubDate),
    paystub_period: { start_date: dayTime(paystub.periodStart), end_date: dayTime(paystub.periodEnd) },
    currency: 'USD',
    gross_pay: paystub.grossPay,
    net_pay: paystub.netPay,
    created_at: restTime(paystub.createdAt),
    updated_at: restTime(paystub.createdAt),
  };
}
