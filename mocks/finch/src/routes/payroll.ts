/**
 * Payroll detail around payments: pay groups, pay statement items and their rules, and ledger items. All of it is
 * read from the same payments and pay statements `/employer/payment` and `/employer/pay-statement` answer.
 */

import type { CompanyData } from '../domain/sandbox-data.js';
import type { PayStatementItemRule } from '../domain/state.js';
import type { PayStatement } from '../generated/pay-statement.js';
import { finchJson } from '../http/api.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { batchNotFound } from './employer.js';

type Category = 'earnings' | 'taxes' | 'employee_deductions' | 'employer_contributions';
const CATEGORIES: Category[] = ['earnings', 'taxes', 'employee_deductions', 'employer_contributions'];

interface ItemAttributes {
  type: string | null;
  pre_tax: boolean | null;
  employer: boolean | null;
  metadata: Record<string, unknown> | null;
}

function attributesOf(category: Category, item: Record<string, unknown>): ItemAttributes {
  return {
    type: (item.type as string | undefined) ?? null,
    pre_tax: category === 'employee_deductions' ? ((item.pre_tax as boolean | undefined) ?? null) : null,
    employer:
      category === 'taxes'
        ? ((item.employer as boolean | undefined) ?? null)
        : category === 'employer_contributions',
    metadata: null,
  };
}

/** The distinct pay statement items (category + name) of the payments in the date range. */
function payStatementItems(data: CompanyData, query: Record<string, unknown>) {
  const start = (query.start_date as string | undefined) ?? '0000-01-01';
  const end = (query.end_date as string | undefined) ?? '9999-12-31';
  const categories = (query.categories as Category[] | undefined) ?? CATEGORIES;
  const seen = new Map<string, { name: string; category: Category; attributes: ItemAttributes }>();
  for (const payment of data.payments) {
    if (!payment.pay_date || payment.pay_date < start || payment.pay_date > end) continue;
    for (const statement of data.payStatements.get(payment.id) ?? []) {
      for (const category of categories) {
        const items = (statement[category as keyof PayStatement] ?? []) as Record<string, unknown>[];
        for (const item of items) {
          const name = String(item.name ?? '');
          const attributes = attributesOf(category, item);
          if (query.name !== undefined && name !== query.name) continue;
          if (query.type !== undefined && attributes.type !== query.type) continue;
          const key = `${category}\u0000${name}\u0000${attributes.type}`;
          if (!seen.has(key)) seen.set(key, { name, category, attributes });
        }
      }
    }
  }
  return [...seen.values()];
}

type RuleInput = Partial<
  Pick<PayStatementItemRule, 'effective_start_date' | 'effective_end_date' | 'conditions' | 'attributes'>
>;

function ruleNotFound(id: string) {
  return finchError('invalid_request', { message: `No pay statement item rule with id ${id}` });
}

/** A payment's double-entry view: wages, taxes and deductions as debits, cash and liabilities as credits. */
function ledgerOf(data: CompanyData, paymentId: string) {
  const payment = data.payments.find((p) => p.id === paymentId);
  if (!payment) return undefined;
  const money = (amount: number) => ({ amount, currency: 'usd' });
  const none = money(0);
  const statements = data.payStatements.get(paymentId) ?? [];
  const total = (pick: (s: PayStatement) => number) => statements.reduce((sum, s) => sum + pick(s), 0);
  const sumOf = (items: { amount?: number | null }[] | null | undefined) =>
    (items ?? []).reduce((sum, i) => sum + (i.amount ?? 0), 0);
  const gross = payment.gross_pay?.amount ?? 0;
  const net = payment.net_pay?.amount ?? 0;
  const employeeTaxes = total((s) => sumOf(s.taxes?.filter((t) => !t.employer)));
  const employerTaxes = total((s) => sumOf(s.taxes?.filter((t) => t.employer)));
  const deductions = total((s) => sumOf(s.employee_deductions));
  const contributions = total((s) => sumOf(s.employer_contributions));
  const line = (type: string, description: string, debit: number, credit: number) => ({
    type,
    account_type: debit > 0 ? 'expense' : 'liability',
    account_description: description,
    debit: debit > 0 ? money(debit) : none,
    credit: credit > 0 ? money(credit) : none,
  });
  const items = [
    line('regular_wages', 'Wages', gross, 0),
    line('employer_tax_fica', 'Employer payroll taxes', employerTaxes, 0),
    line('employer_contribution_retirement_401k', 'Employer 401(k) match', contributions, 0),
    line('employee_tax_income', 'Employee taxes withheld', 0, employeeTaxes),
    line('pretax_deduction', 'Employee 401(k) deferrals', 0, deductions),
    line('benefit_liability_retirement_401k', 'Employer 401(k) match payable', 0, contributions),
    line('cash_debit_tax_remittance', 'Employer taxes payable', 0, employerTaxes),
    line('cash_debit_net_pay', 'Net pay', 0, net),
  ];
  const debit = items.reduce((sum, i) => sum + i.debit.amount, 0);
  const credit = items.reduce((sum, i) => sum + i.credit.amount, 0);
  return {
    source: 'synthesized' as const,
    provider_description: null,
    pay_date: payment.pay_date ?? '',
    totals: { debit: money(debit), credit: money(credit), balanced: debit === credit },
    items,
  };
}

export const payrollRoutes = [
  specRoute(
    'get-all-pay-groups',
    (_req, _ctx, { data }) =>
      finchJson(
        200,
        data!.data.benefits.payGroups.map(({ id, name, pay_frequencies }) => ({ id, name, pay_frequencies })),
      ),
    { product: 'payment' },
  ),

  specRoute(
    'get-pay-group',
    (req, _ctx, { data }) => {
      const group = data!.data.benefits.payGroups.find((g) => g.id === req.params.pay_group_id);
      if (!group) throw finchError('not_found', { message: 'Pay group not found' });
      return finchJson(200, group);
    },
    { product: 'payment' },
  ),

  specRoute(
    'get-pay-statement-item',
    (_req, _ctx, { data, query }) => finchJson(200, { responses: payStatementItems(data!.data, query) }),
    { product: 'pay_statement' },
  ),

  specRoute(
    'get-rules',
    (_req, ctx, { data }) => finchJson(200, { responses: ctx.state.rules.get(data!.company.id) ?? [] }),
    { product: 'pay_statement' },
  ),

  specRoute(
    'create-rule',
    (_req, ctx, { data, body }) => {
      const input = body as RuleInput;
      const rules = ctx.state.rules.get(data!.company.id) ?? [];
      const now = ctx.clock.now().toISOString();
      const rule: PayStatementItemRule = {
        id: ctx.newId(),
        priority: rules.length + 1,
        effective_start_date: input.effective_start_date ?? null,
        effective_end_date: input.effective_end_date ?? null,
        conditions: input.conditions ?? [],
        attributes: input.attributes ?? {},
        entity_type: 'pay_statement_item',
        created_at: now,
        updated_at: now,
      };
      ctx.state.rules.set(data!.company.id, [...rules, rule]);
      return finchJson(201, rule);
    },
    { product: 'pay_statement' },
  ),

  specRoute(
    'update-rule',
    (req, ctx, { data, body }) => {
      const rule = ctx.state.rules.get(data!.company.id)?.find((r) => r.id === req.params.rule_id);
      if (!rule) throw ruleNotFound(req.params.rule_id ?? '');
      // The spec wraps the changes in `optionalProperty`; plain top-level fields are accepted too.
      const input = ((body as { optionalProperty?: RuleInput }).optionalProperty ?? body) as RuleInput;
      Object.assign(rule, {
        ...(input.effective_start_date !== undefined
          ? { effective_start_date: input.effective_start_date }
          : {}),
        ...(input.effective_end_date !== undefined ? { effective_end_date: input.effective_end_date } : {}),
        ...(input.conditions !== undefined ? { conditions: input.conditions } : {}),
        ...(input.attributes !== undefined ? { attributes: input.attributes } : {}),
        updated_at: ctx.clock.now().toISOString(),
      });
      return finchJson(200, rule);
    },
    { product: 'pay_statement' },
  ),

  specRoute(
    'delete-rule',
    (req, ctx, { data }) => {
      const rules = ctx.state.rules.get(data!.company.id) ?? [];
      const rule = rules.find((r) => r.id === req.params.rule_id);
      if (!rule) throw ruleNotFound(req.params.rule_id ?? '');
      ctx.state.rules.set(
        data!.company.id,
        rules.filter((r) => r !== rule),
      );
      return finchJson(200, { ...rule, deleted_at: ctx.clock.now().toISOString() });
    },
    { product: 'pay_statement' },
  ),

  specRoute(
    'get-ledger-items',
    (_req, _ctx, { data, body }) => {
      const { requests } = body as { requests: { payment_id: string; offset?: number; limit?: number }[] };
      return finchJson(200, {
        responses: requests.map(({ payment_id, offset = 0, limit }) => {
          const ledger = ledgerOf(data!.data, payment_id);
          if (!ledger) {
            return {
              payment_id,
              code: 404,
              body: batchNotFound('payment_not_found', `No payment with id ${payment_id} found`),
            };
          }
          const { items, ...rest } = ledger;
          return {
            payment_id,
            code: 200,
            body: {
              ...rest,
              paging: { count: items.length, offset },
              ledger_items: items.slice(offset, limit === undefined ? undefined : offset + limit),
            },
          };
        }),
      });
    },
    { product: 'payment' },
  ),
];
