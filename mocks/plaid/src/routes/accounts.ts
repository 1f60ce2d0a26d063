/** `/accounts/get` and `/accounts/balance/get`: both reach the institution, so an Item's error is their answer. */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { accountJson, itemByAccessToken, itemJson, requireHealthy } from '../domain/items.js';
import type { PlaidMockState } from '../domain/state.js';
import { apiBody, type Ctx, ok } from '../http/api.js';
import { plaidError } from '../http/plaid-errors.js';

const accountsBody = z.object({
  access_token: z.string().min(1),
  options: z.looseObject({ account_ids: z.array(z.string().min(1)).optional() }).optional(),
});

function accountsResponse(req: MockRequest, ctx: Ctx, withBalances: boolean) {
  const body = apiBody(req, ctx, accountsBody);
  const item = itemByAccessToken(ctx, body.access_token);
  requireHealthy(ctx, item);
  const wanted = body.options?.account_ids;
  const unknown = wanted?.find((id) => !item.accounts.some((account) => account.account_id === id));
  if (unknown !== undefined)
    throw plaidError('INVALID_FIELD', `options.account_ids: unknown account_id ${unknown}`);
  const accounts = item.accounts.filter((account) => !wanted || wanted.includes(account.account_id));
  const readAt = withBalances ? ctx.clock.now() : undefined;
  return ok({ accounts: accounts.map((account) => accountJson(account, readAt)), item: itemJson(item) });
}

export const accountRoutes: RouteDefinition<PlaidMockState>[] = [
  { method: 'POST', path: '/accounts/get', handler: (req, ctx) => accountsResponse(req, ctx, false) },
  { method: 'POST', path: '/accounts/balance/get', handler: (req, ctx) => accountsResponse(req, ctx, true) },
];
