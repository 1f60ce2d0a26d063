/** Plaid's Sandbox verbs: `/sandbox/public_token/create`, `/sandbox/item/reset_login`, `/sandbox/item/fire_webhook`. */
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { requireLogin } from '../domain/changes.js';
import { plaidTime } from '../domain/ids.js';
import { findInstitution } from '../domain/institutions.js';
import { createItem, issuePublicToken, itemByAccessToken } from '../domain/items.js';
import type { PlaidItem, PlaidMockState } from '../domain/state.js';
import { apiBody, type Ctx, ok } from '../http/api.js';
import { plaidError, plaidErrorBody } from '../http/plaid-errors.js';
import { enqueueItemWebhook, type ItemWebhookCode } from '../webhooks.js';

const WEEK_MS = 7 * 24 * 60 * 60_000;

const publicTokenCreateBody = z.object({
  institution_id: z.string().min(1),
  initial_products: z.array(z.string().min(1)).min(1),
  options: z
    .looseObject({
      webhook: z.url({ protocol: /^https?$/ }).optional(),
      override_username: z.string().optional(),
      override_password: z.string().optional(),
    })
    .optional(),
  user_token: z.string().min(1).optional(),
});

/**
 * What `/sandbox/item/fire_webhook` can send, with the fields Plaid fills in. It only sends the webhook (the Item
 * itself does not change); the admin scenarios change the Item too.
 */
const FIRE_WEBHOOK_FIELDS: Partial<
  Record<ItemWebhookCode, (ctx: Ctx, item: PlaidItem) => Record<string, unknown>>
> = {
  NEW_ACCOUNTS_AVAILABLE: () => ({ error: null }),
  LOGIN_REPAIRED: () => ({}),
  PENDING_DISCONNECT: (ctx) => ({
    reason: 'INSTITUTION_MIGRATION',
    disconnect_time: plaidTime(new Date(ctx.clock.now().getTime() + WEEK_MS)),
  }),
  USER_PERMISSION_REVOKED: () => ({ error: plaidErrorBody('USER_PERMISSION_REVOKED') }),
  USER_ACCOUNT_REVOKED: (_ctx, item) => ({ account_id: item.accounts[0]?.account_id ?? null }),
};

export const sandboxRoutes: RouteDefinition<PlaidMockState>[] = [
  {
    method: 'POST',
    path: '/sandbox/public_token/create',
    handler(req, ctx) {
      const body = apiBody(req, ctx, publicTokenCreateBody);
      const institution = findInstitution(body.institution_id);
      if (!institution) throw plaidError('INVALID_INSTITUTION');
      const unsupported = body.initial_products.find((product) => !institution.products.includes(product));
      if (unsupported !== undefined) {
        throw plaidError(
          'PRODUCTS_NOT_SUPPORTED',
          `${institution.name} does not support ${unsupported} (it supports ${institution.products.join(', ')})`,
        );
      }
      if (body.user_token !== undefined && !ctx.state.users.has(body.user_token)) {
        throw plaidError('INVALID_USER_TOKEN');
      }
      const item = createItem(ctx, {
        institution,
        products: body.initial_products,
        webhook: body.options?.webhook ?? null,
        userToken: body.user_token ?? null,
      });
      return ok({ public_token: issuePublicToken(ctx, item) });
    },
  },
  {
    method: 'POST',
    path: '/sandbox/item/reset_login',
    handler(req, ctx) {
      const { access_token } = apiBody(req, ctx, z.object({ access_token: z.string().min(1) }));
      requireLogin(ctx, itemByAccessToken(ctx, access_token));
      return ok({ reset_login: true });
    },
  },
  {
    method: 'POST',
    path: '/sandbox/item/fire_webhook',
    handler(req, ctx) {
      const body = apiBody(
        req,
        ctx,
        z.object({
          access_token: z.string().min(1),
          webhook_type: z.string().optional(),
          webhook_code: z.string().min(1),
        }),
      );
      const item = itemByAccessToken(ctx, body.access_token);
      const code = body.webhook_code as ItemWebhookCode;
      const fields = Object.hasOwn(FIRE_WEBHOOK_FIELDS, code) ? FIRE_WEBHOOK_FIELDS[code] : undefined;
      if (!fields || (body.webhook_type !== undefined && body.webhook_type !== 'ITEM')) {
        throw plaidError(
          'INVALID_FIELD',
          `webhook_code: the mock fires ITEM webhooks ${Object.keys(FIRE_WEBHOOK_FIELDS).join(', ')}; got ${body.webhook_type ?? 'ITEM'} ${body.webhook_code}`,
        );
      }
      enqueueItemWebhook(ctx, item, code, fields(ctx, item));
      return ok({ webhook_fired: true });
    },
  },
];
