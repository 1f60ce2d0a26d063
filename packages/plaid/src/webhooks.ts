/**
 * Normalises verified Plaid webhooks. ITEM webhooks are validated against Plaid's OpenAPI schemas
 * (fixtures/schemas/plaid) and mapped through one table; other webhook types about an Item are recorded without a
 * signal. Plaid sends no event id and no event time, so the event id is a digest of `iat` and the body, the
 * vendor time is the JWT's `iat`, and every state-bearing ITEM webhook asks the service to confirm it with
 * `/item/get` (a retried delivery is signed again, so `iat` alone cannot order deliveries).
 */
import { hash } from 'node:crypto';
import {
  type ConnectionSignal,
  type EarlyWarning,
  type ProviderEvent,
  ReconnectKitError,
  sortableTime,
  type VerifiedWebhook,
} from '@reconnect-kit/core';
import { z } from 'zod';
import { itemErrorWebhookSchema } from './generated/item-error-webhook.js';
import { itemLoginRepairedWebhookSchema } from './generated/item-login-repaired-webhook.js';
import { newAccountsAvailableWebhookSchema } from './generated/new-accounts-available-webhook.js';
import { pendingDisconnectWebhookSchema } from './generated/pending-disconnect-webhook.js';
import { pendingExpirationWebhookSchema } from './generated/pending-expiration-webhook.js';
import { userAccountRevokedWebhookSchema } from './generated/user-account-revoked-webhook.js';
import { userPermissionRevokedWebhookSchema } from './generated/user-permission-revoked-webhook.js';
import { webhookUpdateAcknowledgedWebhookSchema } from './generated/webhook-update-acknowledged-webhook.js';
import { problemForPlaidError } from './item-errors.js';
import { PLAID_VERIFICATION_HEADER } from './webhook-verification.js';

export const PLAID_PROVIDER_ID = 'plaid';

type Body = Record<string, unknown>;

interface ItemWebhookRule {
  readonly schema: z.ZodType;
  /** The signal the webhook carries; undefined = recorded, not applied (informational or an early warning). */
  readonly signal: (body: Body) => ConnectionSignal | undefined;
  /** A deadline the webhook announces while the Item keeps working. */
  readonly warning?: (body: Body) => EarlyWarning | undefined;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** `PENDING_EXPIRATION`: the user's consent ends at `consent_expiration_time`. */
function consentWarning(body: Body): EarlyWarning | undefined {
  const deadline = new Date(String(body.consent_expiration_time));
  if (Number.isNaN(deadline.getTime())) return undefined;
  return consentExpiring(deadline, 'PENDING_EXPIRATION');
}

/** The consent deadline (from the webhook or `/item/get`'s `consent_expiration_time`). */
export function consentExpiring(deadline: Date, code: string): EarlyWarning {
  return {
    code: 'consent_expiring',
    deadline,
    reason: `Your bank connection's consent ends on ${day(deadline)} (UTC). Reconnect through Plaid before then to keep it working.`,
    vendor: { status: 'ITEM', code, message: null },
  };
}

/** `PENDING_DISCONNECT`: the Item stops working at `disconnect_time` (`reason`: migration or token expiry). */
function disconnectWarning(body: Body): EarlyWarning | undefined {
  const deadline = new Date(String(body.disconnect_time));
  if (Number.isNaN(deadline.getTime())) return undefined;
  return {
    code: 'disconnect_pending',
    deadline,
    reason: `Your bank connection stops working on ${day(deadline)} (UTC) unless you reconnect through Plaid before then.`,
    vendor: {
      status: 'ITEM',
      code: 'PENDING_DISCONNECT',
      message: typeof body.reason === 'string' ? body.reason : null,
    },
  };
}

const revoked = (code: string, message: string) => (): ConnectionSignal => {
  const problem = problemForPlaidError({
    errorType: 'ITEM_ERROR',
    errorCode: 'USER_PERMISSION_REVOKED',
    message,
  });
  return { state: 'revoked', vendor: { status: 'ITEM', code, message }, problem };
};

/** The one place ITEM webhook codes meet canonical states. */
const ITEM_WEBHOOKS: Readonly<Record<string, ItemWebhookRule>> = {
  ERROR: {
    schema: z.fromJSONSchema(itemErrorWebhookSchema),
    signal(body) {
      const error = body.error as { error_type?: string; error_code?: string; error_message?: string } | null;
      if (!error?.error_code || !error.error_type) return undefined;
      const problem = problemForPlaidError({
        errorType: error.error_type,
        errorCode: error.error_code,
        message: error.error_message,
      });
      return problem ? { state: problem.state, vendor: problem.vendor, problem } : undefined;
    },
  },
  LOGIN_REPAIRED: {
    schema: z.fromJSONSchema(itemLoginRepairedWebhookSchema),
    signal: () => ({ state: 'connected', vendor: { status: 'ITEM', code: 'LOGIN_REPAIRED', message: null } }),
  },
  PENDING_EXPIRATION: {
    schema: z.fromJSONSchema(pendingExpirationWebhookSchema),
    signal: () => undefined,
    warning: consentWarning,
  },
  PENDING_DISCONNECT: {
    schema: z.fromJSONSchema(pendingDisconnectWebhookSchema),
    signal: () => undefined,
    warning: disconnectWarning,
  },
  NEW_ACCOUNTS_AVAILABLE: {
    schema: z.fromJSONSchema(newAccountsAvailableWebhookSchema),
    signal: () => undefined,
  },
  WEBHOOK_UPDATE_ACKNOWLEDGED: {
    schema: z.fromJSONSchema(webhookUpdateAcknowledgedWebhookSchema),
    signal: () => undefined,
  },
  USER_PERMISSION_REVOKED: {
    schema: z.fromJSONSchema(userPermissionRevokedWebhookSchema),
    signal: revoked('USER_PERMISSION_REVOKED', 'The user revoked access to the Item.'),
  },
  USER_ACCOUNT_REVOKED: {
    schema: z.fromJSONSchema(userAccountRevokedWebhookSchema),
    signal: revoked('USER_ACCOUNT_REVOKED', "The user revoked the Item's account at the institution."),
  },
};

const envelope = z.looseObject({
  webhook_type: z.string().min(1),
  webhook_code: z.string().min(1),
  item_id: z.string().min(1).optional(),
  /** The Plaid user (`/user/create`, for the host's `client_user_id`) the Item was linked for, when there is one. */
  user_id: z.string().min(1).nullable().optional(),
});

function payloadInvalid(
  what: string,
  issues: readonly { path: readonly PropertyKey[] }[],
): ReconnectKitError {
  return new ReconnectKitError('webhook_payload_invalid', {
    message: `The Plaid ${what} webhook does not match Plaid's schema.`,
    details: { fields: issues.map((issue) => issue.path.map(String).join('.') || '(root)') },
  });
}

/** The verified JWT's `iat` (the signature was checked before parsing). */
function issuedAt(webhook: VerifiedWebhook): Date {
  const claims = webhook.headers.get(PLAID_VERIFICATION_HEADER)?.split('.')[1] ?? '';
  const iat = (JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { iat: number }).iat;
  return new Date(iat * 1000);
}

/** `plaid_<time>_<digest of iat and body>`: redeliveries of one signed delivery share it; a new signing does not. */
export function plaidEventId(rawBody: Uint8Array, signedAt: Date): string {
  const digest = hash('sha256', Buffer.concat([Buffer.from(`${signedAt.getTime()}.`), rawBody]), 'hex');
  return `plaid_${sortableTime(signedAt.toISOString())}_${digest}`;
}

export function parsePlaidWebhook(webhook: VerifiedWebhook): ProviderEvent[] {
  const head = envelope.safeParse(webhook.body);
  if (!head.success) throw payloadInvalid('', head.error.issues);
  const { webhook_type, webhook_code, item_id, user_id } = head.data;
  // Webhooks about no Item (e.g. LINK events of a session) say nothing about a connection.
  if (item_id === undefined) return [];
  const occurredAt = issuedAt(webhook);
  const base = {
    eventId: plaidEventId(webhook.rawBody, occurredAt),
    provider: PLAID_PROVIDER_ID,
    vendorType: `${webhook_type}:${webhook_code}`,
    upstreamId: item_id,
    // Evidence for successors: a new Item of the same Plaid user after a revocation belongs to the same host user.
    ...(user_id ? { upstreamParentId: user_id } : {}),
    occurredAt,
  };
  const rule =
    webhook_type === 'ITEM' && Object.hasOwn(ITEM_WEBHOOKS, webhook_code)
      ? ITEM_WEBHOOKS[webhook_code]
      : undefined;
  if (!rule) return [{ ...base, signal: undefined }];
  const parsed = rule.schema.safeParse(webhook.body);
  if (!parsed.success) throw payloadInvalid(`ITEM ${webhook_code}`, parsed.error.issues);
  const signal = rule.signal(webhook.body as Body);
  const warning = rule.warning?.(webhook.body as Body);
  if (signal) return [{ ...base, signal, confirm: 'status_check' }];
  return [warning ? { ...base, signal: undefined, warning } : { ...base, signal: undefined }];
}
