import { describe, expect, test } from 'vitest';
import { generateCompanyData } from './sandbox-data.js';

const seed = {
  id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  legalName: 'Acme Widgets Inc',
  employeeSize: 20,
  createdOn: '2026-03-13',
};

describe('sandbox data', () => {
  test('is deterministic for a company', () => {
    expect(generateCompanyData(seed)).toEqual(generateCompanyData(seed));
    const other = generateCompanyData({ ...seed, id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c' });
    expect(other.directory[0]!.id).not.toBe(generateCompanyData(seed).directory[0]!.id);
  });

  test('has a reporting line, six bi-weekly payrolls ending on the creation day, statements for active full-timers', () => {
    const data = generateCompanyData(seed);
    const ids = new Set(data.directory.map((d) => d.id));
    expect(data.directory.filter((d) => d.manager === null)).toHaveLength(1);
    expect(data.directory.every((d) => d.manager === null || ids.has(d.manager.id))).toBe(true);
    expect(data.payments.map((p) => p.pay_date)).toEqual([
      '2026-03-13',
      '2026-02-27',
      '2026-02-13',
      '2026-01-30',
      '2026-01-16',
      '2026-01-02',
    ]);
    const latest = data.payments[0]!;
    const statements = data.payStatements.get(latest.id)!;
    expect(statements.map((s) => s.individual_id)).toEqual(latest.individual_ids);
    for (const statement of statements) {
      const employment = data.employments.get(statement.individual_id)!;
      expect(employment).toMatchObject({ is_active: true, employment: { subtype: 'full_time' } });
    }
    const gross = statements.reduce((total, s) => total + s.gross_pay!.amount!, 0);
    expect(latest.gross_pay).toEqual({ amount: gross, currency: 'usd' });
  });

  test('deductions, pay groups, W-4s and plans agree with the people and the pay statements', () => {
    const data = generateCompanyData(seed);
    const { benefits, enrollments, payGroups, w4s, planEnrollments, dependents } = data.benefits;
    const latest = data.payments[0]!;
    const statements = data.payStatements.get(latest.id)!;
    // Everyone the latest payroll paid has the 401(k) deduction on the statement and the 401(k) enrollment.
    const retirement = [...benefits.values()].find((b) => b.type === '401k')!;
    const enrolled = [...enrollments.get(retirement.benefit_id)!.keys()].sort();
    expect(enrolled).toEqual([...latest.individual_ids!].sort());
    for (const statement of statements) {
      const deduction = statement.employee_deductions!.find((d) => d.type === '401k')!;
      const rate = enrollments.get(retirement.benefit_id)!.get(statement.individual_id!)!.employee_deduction!;
      expect(deduction.amount).toBe(Math.round((statement.gross_pay!.amount! * rate.amount) / 10_000));
    }
    // Every payment names the pay group that lists exactly the people it paid.
    expect(payGroups.map((g) => g.id)).toEqual(latest.pay_group_ids);
    expect([...payGroups[0]!.individual_ids].sort()).toEqual([...latest.individual_ids!].sort());
    // One W-4 per person; plan enrollments and dependents belong to people of the company.
    expect([...w4s.keys()].sort()).toEqual(data.directory.map((d) => d.id).sort());
    const people = new Set(data.directory.map((d) => d.id));
    expect(planEnrollments.every((e) => people.has(e.individual_id))).toBe(true);
    const enrollmentIds = new Set(planEnrollments.map((e) => e.id));
    for (const dependent of dependents) {
      for (const coverage of dependent.coverage) {
        expect(people.has(coverage.individual_id)).toBe(true);
        expect(coverage.enrollments.every((e) => enrollmentIds.has(e.id))).toBe(true);
      }
    }
  });

  test('companies above 100 employees get one pay period (Finch Sandbox rule)', () => {
    expect(generateCompanyData({ ...seed, employeeSize: 101 }).payments).toHaveLength(1);
  });
});
