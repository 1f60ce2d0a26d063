/**
 * Payroll income: `/user/create` (the user token payroll Items belong to) and `/credit/payroll_income/get`, which
 * reads the user's payroll Items. An Item that needs a login answers that Item's error, as every data call does.
 */
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { newObjectId, newToken, plaidTime } from '../domain/ids.js';
import { institutionOf, requireHealthy } from '../domain/items.js';
import type { PlaidItem, PlaidMockState } from '../domain/state.js';
import { apiBody, type Ctx, ok } from '../http/api.js';
import { plaidError } from '../http/plaid-errors.js';

const usd = { iso_currency_code: 'USD', unofficial_currency_code: null } as const;

/** One biweekly Sandbox pay stub (figures from Plaid's API reference example). */
function payStub(now: Date) {
  const end = new Date(now.getTime() - 24 * 60 * 60_000);
  const start = new Date(end.getTime() - 13 * 24 * 60 * 60_000);
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const address = {
    city: 'SAN FRANCISCO',
    country: 'US',
    postal_code: '94111',
    region: 'CA',
    street: '1098 HARRISON ST',
  };
  return {
    deductions: {
      breakdown: [{ current_amount: 123.45, description: 'taxes', ytd_amount: 246.9, ...usd }],
      total: { current_amount: 123.45, ytd_amount: 246.9, ...usd },
    },
    document_id: newObjectId().slice(0, 10),
    document_metadata: {
      document_type: 'PAYSTUB',
      name: 'paystub.pdf',
      status: 'PROCESSING_COMPLETE',
      download_url: null,
    },
    earnings: {
      breakdown: [
        {
          canonical_description: 'REGULAR_PAY',
          current_amount: 200.22,
          description: 'salary earned',
          hours: 80,
          rate: null,
          ytd_amount: 400.44,
          ...usd,
        },
      ],
      total: { current_amount: 200.22, hours: 80, ytd_amount: 400.44, ...usd },
    },
    employee: {
      address: { ...address, postal_code: '94133', street: '2140 TAYLOR ST' },
      name: 'ANNA CHARLESTON',
      marital_status: 'SINGLE',
      taxpayer_id: { id_type: 'SSN', id_mask: '3333' },
    },
    employer: { name: 'PLAID INC', address },
    net_pay: { current_amount: 76.77, description: 'TOTAL NET PAY', ytd_amount: 153.54, ...usd },
    pay_period_details: {
      distribution_breakdown: [],
      end_date: day(end),
      start_date: day(start),
      gross_earnings: 200.22,
      pay_amount: 76.77,
      pay_date: day(now),
      pay_frequency: 'BIWEEKLY',
      ...usd,
    },
  };
}

function payrollItemJson(ctx: Ctx, item: PlaidItem) {
  const institution = institutionOf(item);
  return {
    item_id: item.itemId,
    institution_id: institution.institution_id,
    institution_name: institution.name,
    accounts: item.accounts.map((account) => ({
      account_id: account.account_id,
      rate_of_pay: { pay_amount: 52_000, pay_rate: 'ANNUAL' },
      pay_frequency: 'BIWEEKLY',
    })),
    payroll_income: item.accounts.map((account) => ({
      account_id: account.account_id,
      pay_stubs: [payStub(ctx.clock.now())],
      w2s: [],
      form1099s: [],
    })),
    status: { processing_status: 'PROCESSING_COMPLETE' },
    updated_at: plaidTime(ctx.clock.now()),
  };
}

export const incomeRoutes: RouteDefinition<PlaidMockState>[] = [
  {
    method: 'POST',
    path: '/user/create',
    handler(req, ctx) {
      const { client_user_id } = apiBody(req, ctx, z.object({ client_user_id: z.string().min(1) }));
      const userToken = newToken('user');
      const userId = `usr_${newObjectId().slice(0, 14)}`;
      ctx.state.users.set(userToken, { userId, clientUserId: client_user_id });
      return ok({ user_token: userToken, user_id: userId });
    },
  },
  {
    method: 'POST',
    path: '/credit/payroll_income/get',
    handler(req, ctx) {
      const body = apiBody(
        req,
        ctx,
        z.object({
          user_token: z.string().min(1),
          options: z.looseObject({ item_ids: z.array(z.string().min(1)).optional() }).optional(),
        }),
      );
      if (!ctx.state.users.has(body.user_token)) throw plaidError('INVALID_USER_TOKEN');
      const wanted = body.options?.item_ids;
      const items = [...ctx.state.items.values()].filter(
        (item) =>
          item.userToken === body.user_token &&
          !item.removed &&
          item.products.includes('income_verification') &&
          (!wanted || wanted.includes(item.itemId)),
      );
      for (const item of items) requireHealthy(ctx, item);
      return ok({ items: items.map((item) => payrollItemJson(ctx, item)) });
    },
  },
];
