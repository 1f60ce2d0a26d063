import { describe, expect, test } from 'vitest';
import {
  type AccountData,
  type AccountModelInput,
  generateAccountData,
  generatePeriods,
  money,
  periodsUntil,
} from './data-model.js';
import { findSandboxItem, SANDBOX_USERS } from './sandbox.js';

const CONNECTED_AT = new Date('2026-01-29T19:25:10.118Z');

function input(username: string, itemId: string, seed = 'seed-1'): AccountModelInput {
  return {
    seed,
    accountId: '019c0b39-0b68-7b0c-8c2e-9d1a7f3b5e02',
    userId: '019c0b38-1111-7b0c-8c2e-9d1a7f3b5e02',
    persona: SANDBOX_USERS.find((user) => user.username === username)!,
    item: findSandboxItem(itemId)!,
    connectedAt: CONNECTED_AT,
  };
}

const cents = (amount: string | null | undefined) => Math.round(Number(amount ?? '0') * 100);
const sumOf = (values: (string | null)[]) => values.reduce((total, value) => total + cents(value), 0);

describe('the data model', () => {
  test('is deterministic: the same seed gives the same bytes, another seed other data', () => {
    const once = JSON.stringify(generateAccountData(input('test_2', 'item_000029932')));
    const twice = JSON.stringify(generateAccountData(input('test_2', 'item_000029932')));
    expect(twice).toBe(once);
    expect(JSON.stringify(generateAccountData(input('test_2', 'item_000029932', 'seed-2')))).not.toBe(once);
  });

  test('a period generated later (ongoing refresh) is byte-identical to the same period of a full history', () => {
    const model = input('test_3', 'item_000001543');
    const count = periodsUntil(model, CONNECTED_AT);
    const full = generatePeriods(model, 0, count, CONNECTED_AT);
    const last = generatePeriods(model, count - 1, count, CONNECTED_AT);
    expect(last.paystubs.map((row) => row.wire)).toEqual(
      full.paystubs.filter((row) => last.paystubs.some((l) => l.id === row.id)).map((row) => row.wire),
    );
  });

  test.each([
    ['test_1', 'weekly', 7],
    ['test_2', 'biweekly', 14],
  ])('%s is paid %s on Fridays; two years of history', (username, cycle, days) => {
    const data = generateAccountData(input(username, 'item_000029932'));
    const dates = data.paystubs.map((row) => row.sortMs);
    for (const [index, date] of dates.entries()) {
      expect(new Date(date).getUTCDay()).toBe(5);
      if (index > 0) expect(date - dates[index - 1]!).toBe(days * 24 * 3600 * 1000);
    }
    expect(dates.at(-1)!).toBeLessThanOrEqual(CONNECTED_AT.getTime());
    expect(data.identities[0]!.wire.pay_cycle).toBe(cycle);
  });

  test('payroll records are consistent across resources', () => {
    const data = generateAccountData(input('test_3', 'item_000001543'));
    // Joe on a payroll platform has several employments, each with its own identity.
    expect(data.employments.map((row) => row.wire.employer)).toEqual(['Conagra Brands', 'Whole Goods']);
    expect(data.identities.map((row) => [row.wire.employment, row.wire.employer])).toEqual(
      data.employments.map((row) => [row.id, row.wire.employer]),
    );
    const employments = new Set(data.employments.map((row) => row.id));
    const documents = new Map(data.payrollDocuments.map((row) => [row.id, row]));
    const banks = data.depositDestinations.map((row) => row.wire.ach_deposit_account!);
    const ytd = new Map<
      string,
      { year: number; gross: number; net: number; taxes: number; deductions: number }
    >();
    for (const { wire: paystub } of data.paystubs) {
      expect(employments.has(paystub.employment!)).toBe(true);
      expect(documents.get(paystub.payroll_document!)?.wire.employment).toBe(paystub.employment);
      const gross = cents(paystub.gross_pay);
      expect(sumOf(paystub.gross_pay_list.map((line) => line.amount))).toBe(gross);
      expect(sumOf(paystub.tax_list.map((line) => line.amount))).toBe(cents(paystub.taxes));
      expect(sumOf(paystub.deduction_list.map((line) => line.amount))).toBe(cents(paystub.deductions));
      expect(gross - cents(paystub.taxes) - cents(paystub.deductions)).toBe(cents(paystub.net_pay));
      expect(sumOf(paystub.destinations.map((line) => line.amount))).toBe(cents(paystub.net_pay));
      for (const destination of paystub.destinations) {
        const last4 = destination.ach_deposit_account!.account_number!.slice(-4);
        expect(
          banks.some(
            (bank) =>
              bank.account_number!.endsWith(last4) &&
              bank.bank_name === destination.ach_deposit_account!.bank_name,
          ),
        ).toBe(true);
      }
      // Year-to-date sums restart each calendar year and add up the year's paystubs.
      const year = new Date(paystub.paystub_date).getUTCFullYear();
      const previous = ytd.get(paystub.employment!);
      const running =
        previous?.year === year ? previous : { year, gross: 0, net: 0, taxes: 0, deductions: 0 };
      running.gross += gross;
      running.net += cents(paystub.net_pay);
      running.taxes += cents(paystub.taxes);
      running.deductions += cents(paystub.deductions);
      ytd.set(paystub.employment!, running);
      expect(cents(paystub.gross_pay_ytd)).toBe(running.gross);
      expect(cents(paystub.net_pay_ytd)).toBe(running.net);
      expect(cents(paystub.taxes_ytd)).toBe(running.taxes);
      expect(cents(paystub.deductions_ytd)).toBe(running.deductions);
      expect(cents(paystub.gross_pay_list_totals!.base!.amount_ytd)).toBe(
        cents(paystub.gross_pay_list[0]!.amount_ytd),
      );
    }
  });

  test('gig records: payouts add up that week’s gigs, shifts span their gigs, card destinations match', () => {
    const data: AccountData = generateAccountData(input('test_1', 'item_000000427'));
    expect(data.gigs.length).toBeGreaterThan(data.paystubs.length);
    expect(data.vehicles).toHaveLength(1);
    expect(data.ratings).toHaveLength(1);
    const card = data.depositDestinations[0]!.wire.card!;
    for (const { wire: paystub } of data.paystubs) {
      const start = Date.parse(paystub.paystub_period.start_date!);
      const end = Date.parse(paystub.paystub_period.end_date!) + 24 * 3600 * 1000;
      const earned = data.gigs
        .filter((row) => row.sortMs >= start && row.sortMs < end)
        .reduce((total, row) => total + cents(row.wire.income!.total), 0);
      expect(cents(paystub.gross_pay)).toBe(earned);
      expect(paystub.destinations[0]!.card!.card_number).toBe(card.card_number);
    }
    for (const { wire: shift } of data.shifts) {
      const inside = data.gigs.filter(
        (row) =>
          row.wire.end_datetime !== null &&
          row.wire.start_datetime! >= shift.start_datetime! &&
          row.wire.end_datetime <= shift.end_datetime!,
      );
      expect(inside.length).toBeGreaterThan(0);
    }
  });

  test('records keep the key order of recorded sandbox responses', () => {
    const payroll = generateAccountData(input('test_2', 'item_000029932'));
    const gig = generateAccountData(input('test_1', 'item_000000427'));
    // Key orders of DSACMS/iv-cbv-payroll's recorded fixtures (joe/request_paystubs.json, …).
    expect(Object.keys(payroll.paystubs[0]!.wire)).toEqual([
      'id',
      'account',
      'payroll_document',
      'deduction_list',
      'filing_status',
      'tax_list',
      'status',
      'paystub_date',
      'paystub_period',
      'currency',
      'gross_pay',
      'deductions',
      'taxes',
      'net_pay',
      'reimbursements',
      'hours',
      'fees',
      'net_pay_ytd',
      'gross_pay_ytd',
      'metadata',
      'employer',
      'employer_address',
      'created_at',
      'updated_at',
      'destinations',
      'hours_ytd',
      'deductions_ytd',
      'taxes_ytd',
      'gross_pay_list',
      'gross_pay_list_totals',
      'employment',
    ]);
    expect(Object.keys(payroll.employments[0]!.wire)).toEqual([
      'id',
      'employer',
      'employment_status',
      'origin',
      'user',
      'account',
      'created_at',
    ]);
    expect(Object.keys(payroll.identities[0]!.wire)).toEqual([
      'id',
      'account',
      'address',
      'first_name',
      'last_name',
      'full_name',
      'birth_date',
      'email',
      'phone_number',
      'picture_url',
      'employment_status',
      'employment_type',
      'job_title',
      'ssn',
      'marital_status',
      'gender',
      'hire_date',
      'original_hire_date',
      'termination_date',
      'termination_reason',
      'employer',
      'base_pay',
      'pay_cycle',
      'platform_ids',
      'created_at',
      'updated_at',
      'metadata',
      'employment',
    ]);
    expect(Object.keys(gig.gigs[0]!.wire)).toEqual([
      'id',
      'account',
      'employer',
      'created_at',
      'updated_at',
      'status',
      'type',
      'task_count',
      'start_datetime',
      'end_datetime',
      'all_datetimes',
      'duration',
      'timezone',
      'earning_type',
      'start_location',
      'end_location',
      'distance',
      'distance_unit',
      'metadata',
      'circumstances',
      'income',
      'income_rates',
      'task_details',
    ]);
  });

  test('amounts are exact decimal strings', () => {
    expect(money(129010)).toBe('1290.10');
    expect(money(5)).toBe('0.05');
    expect(money(0)).toBe('0.00');
  });
});
