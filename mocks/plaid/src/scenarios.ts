/**
 * Admin scenarios (`POST /__admin/scenarios/{id}`), catalogued in `fixtures/scenarios/plaid.json`. Each targets an
 * `item_id`, changes the Item the way the real event would and queues the ITEM webhooks Plaid sends for it.
 */
import { MockHttpError, type QueuedWebhook, type ScenarioDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import {
  announceDisconnect,
  expireConsentAt,
  lockItem,
  offerNewAccounts,
  repairLogin,
  requireLogin,
  revokeAccount,
  revokePermission,
} from './domain/changes.js';
import { DEFAULT_INSTITUTION_ID, findInstitution } from './domain/institutions.js';
import { createItem } from './domain/items.js';
import type { PlaidItem, PlaidMockState } from './domain/state.js';
import type { Ctx } from './http/api.js';
import type { WebhookKeyRing } from './webhooks.js';
import { enqueueItemWebhook } from './webhooks.js';

const DAY_MS = 24 * 60 * 60_000;
const target = z.string().min(1);
const targetOnly = z.object({ target }).strict();

function targetItem(ctx: Ctx, id: string | undefined): PlaidItem {
  const item = id === undefined ? undefined : ctx.state.items.get(id);
  if (!item) {
    throw new MockHttpError(404, {
      error: 'target_not_found',
      message: `no Plaid Item "${id ?? ''}"; use an item_id from plaid.seed_connected or /sandbox/public_token/create`,
    });
  }
  if (item.removed) {
    throw new MockHttpError(409, {
      error: 'target_removed',
      message: `Item "${item.itemId}" was removed with /item/remove; seed a new one`,
    });
  }
  return item;
}

/** A scenario on one Item whose only input is the target. */
function itemScenario(
  id: string,
  description: string,
  change: (ctx: Ctx, item: PlaidItem) => QueuedWebhook[],
): ScenarioDefinition<PlaidMockState> {
  return {
    id,
    description,
    input: targetOnly,
    run(input, ctx) {
      const item = targetItem(ctx, input.target);
      const webhooks = change(ctx, item);
      return { changed: { item_id: item.itemId, error: item.error?.error_code ?? null }, webhooks };
    },
  };
}

const seedInput = z
  .object({
    institution_id: z.string().min(1).optional(),
    products: z.array(z.string().min(1)).min(1).optional(),
    webhook: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();
const deadlineInput = z.object({ target, days: z.number().int().min(1).max(90).default(7) }).strict();
const disconnectInput = deadlineInput
  .extend({
    reason: z
      .enum(['INSTITUTION_MIGRATION', 'INSTITUTION_TOKEN_EXPIRATION'])
      .default('INSTITUTION_MIGRATION'),
  })
  .strict();
const accountRevokedInput = z.object({ target, account_id: z.string().min(1).optional() }).strict();
const webhookUpdateInput = z.object({ target, webhook: z.url({ protocol: /^https?$/ }).optional() }).strict();
const outageInput = z
  .object({ target, duration_seconds: z.number().int().min(1).max(86_400).default(300) })
  .strict();

function outageScenario(
  id: string,
  description: string,
  code: 'INSTITUTION_DOWN' | 'INSTITUTION_NOT_RESPONDING',
): ScenarioDefinition<PlaidMockState> {
  return {
    id,
    description,
    input: outageInput,
    run(input, ctx) {
      const { duration_seconds } = outageInput.parse(input);
      const item = targetItem(ctx, input.target);
      const until = new Date(ctx.clock.now().getTime() + duration_seconds * 1000);
      item.outage = { code, until };
      return {
        changed: { item_id: item.itemId, error_code: code, until: until.toISOString() },
        webhooks: [],
      };
    },
  };
}

export function plaidScenarios(keys: WebhookKeyRing): ScenarioDefinition<PlaidMockState>[] {
  return [
    {
      id: 'plaid.seed_connected',
      description:
        'Creates a healthy Sandbox Item (user_good at First Platypus Bank) and returns its ids and access token.',
      input: seedInput,
      run(input, ctx) {
        const body = seedInput.parse(input);
        const institution = findInstitution(body.institution_id ?? DEFAULT_INSTITUTION_ID);
        if (!institution) {
          throw new MockHttpError(400, {
            error: 'invalid_input',
            message: `unknown institution_id ${body.institution_id}`,
          });
        }
        const item = createItem(ctx, {
          institution,
          products: body.products ?? ['transactions'],
          webhook: body.webhook ?? null,
          userToken: null,
        });
        return {
          changed: {
            item_id: item.itemId,
            access_token: item.accessToken,
            institution_id: item.institutionId,
            account_ids: item.accounts.map((account) => account.account_id),
          },
          webhooks: [],
        };
      },
    },
    itemScenario(
      'plaid.item_login_required',
      "The Item's login stopped working (password changed, MFA, consent): ITEM_LOGIN_REQUIRED until update mode.",
      (ctx, item) => [requireLogin(ctx, item)],
    ),
    itemScenario(
      'plaid.item_locked',
      "The institution locked the user's account (e.g. too many attempts): ITEM_LOCKED until the user unlocks it at the bank and goes through update mode.",
      (ctx, item) => [lockItem(ctx, item)],
    ),
    itemScenario(
      'plaid.login_repaired',
      'The user repaired the login elsewhere (another app, Plaid Portal): the Item works again without update mode.',
      (ctx, item) => {
        if (item.error?.error_code !== 'ITEM_LOGIN_REQUIRED') {
          throw new MockHttpError(409, {
            error: 'target_not_broken',
            message: `Item "${item.itemId}" is not in ITEM_LOGIN_REQUIRED; run plaid.item_login_required first`,
          });
        }
        return [repairLogin(ctx, item)];
      },
    ),
    {
      id: 'plaid.pending_expiration',
      description:
        "The user's consent expires in `days` days (an Item already expiring is reminded of its date); the Item works until then (update mode renews it).",
      input: deadlineInput,
      run(input, ctx) {
        const { days } = deadlineInput.parse(input);
        const item = targetItem(ctx, input.target);
        const webhook = expireConsentAt(ctx, item, new Date(ctx.clock.now().getTime() + days * DAY_MS));
        return {
          changed: {
            item_id: item.itemId,
            consent_expiration_time: item.consentExpirationTime?.toISOString(),
          },
          webhooks: [webhook],
        };
      },
    },
    {
      id: 'plaid.pending_disconnect',
      description:
        'The Item will stop working in `days` days (institution migration or token expiry) unless update mode runs (an announced disconnect is announced again).',
      input: disconnectInput,
      run(input, ctx) {
        const { days, reason } = disconnectInput.parse(input);
        const item = targetItem(ctx, input.target);
        const webhook = announceDisconnect(
          ctx,
          item,
          new Date(ctx.clock.now().getTime() + days * DAY_MS),
          reason,
        );
        return {
          changed: {
            item_id: item.itemId,
            disconnect_time: item.pendingDisconnect?.at.toISOString(),
            reason: item.pendingDisconnect?.reason,
          },
          webhooks: [webhook],
        };
      },
    },
    itemScenario(
      'plaid.new_accounts_available',
      'The institution has accounts the user has not shared; update mode with account selection adds them.',
      (ctx, item) => [offerNewAccounts(ctx, item)],
    ),
    itemScenario(
      'plaid.user_permission_revoked',
      "The user revoked the app's access (Plaid Portal or the bank's consent page): terminal, a new Item is needed.",
      (ctx, item) => [revokePermission(ctx, item)],
    ),
    {
      id: 'plaid.user_account_revoked',
      description:
        "The user revoked the Item's accounts at the bank's portal (one USER_ACCOUNT_REVOKED per account; all of them unless account_id names one).",
      input: accountRevokedInput,
      run(input, ctx) {
        const { account_id } = accountRevokedInput.parse(input);
        const item = targetItem(ctx, input.target);
        const ids = account_id ? [account_id] : item.accounts.map((account) => account.account_id);
        const unknown = ids.find((id) => !item.accounts.some((account) => account.account_id === id));
        if (unknown !== undefined) {
          throw new MockHttpError(404, {
            error: 'target_not_found',
            message: `Item "${item.itemId}" has no account ${unknown}`,
          });
        }
        const webhooks = ids.map((id) => revokeAccount(ctx, item, id));
        return {
          changed: { item_id: item.itemId, revoked_accounts: ids, error: item.error?.error_code ?? null },
          webhooks,
        };
      },
    },
    {
      id: 'plaid.webhook_update_acknowledged',
      description:
        "The Item's webhook URL changed (/item/webhook/update; `webhook` defaults to the Item's own); Plaid confirms at the new URL.",
      input: webhookUpdateInput,
      run(input, ctx) {
        const item = targetItem(ctx, input.target);
        // Without a new URL, the Item's own is set again (Plaid acknowledges that too).
        const webhook = webhookUpdateInput.parse(input).webhook ?? item.webhook ?? ctx.config.webhookUrl;
        if (!webhook) {
          throw new MockHttpError(400, {
            error: 'invalid_input',
            message: `Item "${item.itemId}" has no webhook URL; pass "webhook"`,
          });
        }
        item.webhook = webhook;
        return {
          changed: { item_id: item.itemId, webhook },
          webhooks: [
            enqueueItemWebhook(ctx, item, 'WEBHOOK_UPDATE_ACKNOWLEDGED', {
              new_webhook_url: webhook,
              error: null,
            }),
          ],
        };
      },
    },
    outageScenario(
      'plaid.institution_down',
      "The Item's institution is down: data calls answer 400 INSTITUTION_DOWN for `duration_seconds`.",
      'INSTITUTION_DOWN',
    ),
    outageScenario(
      'plaid.institution_not_responding',
      "The Item's institution does not respond: data calls answer 400 INSTITUTION_NOT_RESPONDING for `duration_seconds`.",
      'INSTITUTION_NOT_RESPONDING',
    ),
    {
      id: 'plaid.webhook_key_rotated',
      description:
        'Plaid rotates its webhook signing key: new deliveries carry a new kid; the old key is published with expired_at.',
      input: z.object({}).strict(),
      run(_input, ctx) {
        return { changed: keys.rotate(ctx.clock.now()), webhooks: [] };
      },
    },
  ];
}
