/** The Item lifecycle: `/item/public_token/exchange`, `/item/get`, `/item/remove`, `/item/webhook/update`. */
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { itemByAccessToken, itemJson, itemStatusJson } from '../domain/items.js';
import type { PlaidMockState } from '../domain/state.js';
import { apiBody, ok } from '../http/api.js';
import { plaidError } from '../http/plaid-errors.js';
import { enqueueItemWebhook } from '../webhooks.js';

const accessTokenBody = z.object({ access_token: z.string().min(1) });

export const itemRoutes: RouteDefinition<PlaidMockState>[] = [
  {
    method: 'POST',
    path: '/item/public_token/exchange',
    handler(req, ctx) {
      const { public_token } = apiBody(req, ctx, z.object({ public_token: z.string().min(1) }));
      const record = ctx.state.publicTokens.get(public_token);
      // Single use: a public token is gone once exchanged (or expired).
      ctx.state.publicTokens.delete(public_token);
      const item = record === undefined ? undefined : ctx.state.items.get(record.itemId);
      if (!record || !item || ctx.clock.now() >= record.expiresAt) throw plaidError('INVALID_PUBLIC_TOKEN');
      return ok({ access_token: item.accessToken, item_id: item.itemId });
    },
  },
  {
    method: 'POST',
    path: '/item/get',
    handler(req, ctx) {
      const item = itemByAccessToken(ctx, apiBody(req, ctx, accessTokenBody).access_token);
      return ok({ item: itemJson(item), status: itemStatusJson(item) });
    },
  },
  {
    method: 'POST',
    path: '/item/remove',
    handler(req, ctx) {
      const body = apiBody(
        req,
        ctx,
        accessTokenBody.extend({ reason_code: z.string().optional(), reason_note: z.string().optional() }),
      );
      const item = itemByAccessToken(ctx, body.access_token);
      item.removed = true;
      return ok({});
    },
  },
  {
    method: 'POST',
    path: '/item/webhook/update',
    handler(req, ctx) {
      const body = apiBody(
        req,
        ctx,
        accessTokenBody.extend({
          webhook: z
            .url({ protocol: /^https?$/ })
            .nullable()
            .optional(),
        }),
      );
      const item = itemByAccessToken(ctx, body.access_token);
      item.webhook = body.webhook ?? null;
      if (item.webhook) {
        enqueueItemWebhook(ctx, item, 'WEBHOOK_UPDATE_ACKNOWLEDGED', {
          new_webhook_url: item.webhook,
          error: null,
        });
      }
      return ok({ item: itemJson(item) });
    },
  },
];
