/**
 * Realistic, deterministic sandbox data for one company: the company profile, its employees (directory,
 * individual, employment) and bi-weekly payrolls with one pay statement per active full-time employee, like the
 * Finch Sandbox. Everything derives from the company id, its size and its creation day, so every token of every
 * connection of the company sees the same ids.
 */
import type { FinchCompany } from '../generated/company.js';
import type { FinchDirectory } from '../generated/directory.js';
import type { FinchEmploymentBatch } from '../generated/employment.js';
import type { FinchIndividualBatch } from '../generated/individual.js';
import type { PayStatement } from '../generated/pay-statement.js';
import type { FinchPayments } from '../generated/payment.js';
import {
  type BenefitsData,
  generateBenefitsData,
  RETIREMENT_DEDUCTION_BPS,
  RETIREMENT_MATCH_BPS,
} from './benefits-data.js';
import { derivedUuid, SeededRandom } from './deterministic.js';

type BatchBody<T extends { responses: { body: unknown }[] }> = Exclude<
  T['responses'][number]['body'],
  { name: string; message: string }
>;
export type IndividualBody = BatchBody<FinchIndividualBatch>;
export type EmploymentBody = BatchBody<FinchEmploymentBatch>;
export type DirectoryEntry = FinchDirectory['individuals'][number];
export type Payment = FinchPayments[number];

export interface CompanyData {
  company: FinchCompany;
  directory: DirectoryEntry[];
  individuals: Map<string, IndividualBody>;
  employments: Map<string, EmploymentBody>;
  /** Newest first. */
  payments: Payment[];
  payStatements: Map<string, PayStatement[]>;
  /** Deductions, pay groups, W-4s, plans: derived from the people and payrolls above. */
  benefits: BenefitsData;
}

export interface CompanySeed {
  id: string;
  legalName: string;
  employeeSize: number;
  /** YYYY-MM-DD: the latest payment's pay date. */
  createdOn: string;
}

const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Ava',
  'Elijah',
  'Sophia',
  'Mateo',
  'Isabella',
  'Lucas',
  'Mia',
  'Levi',
  'Amelia',
  'Ezra',
  'Harper',
  'Asher',
  'Evelyn',
  'James',
  'Aria',
  'Leo',
  'Priya',
  'Wei',
  'Fatima',
  'Kenji',
  'Chloe',
  'Diego',
  'Grace',
  'Omar',
  'Hannah',
  'Samuel',
] as const;
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Nguyen',
  'Patel',
  'Kim',
  'Chen',
  'Okafor',
  'Rossi',
  'Novak',
  'Cohen',
  'Silva',
] as const;
const DEPARTMENTS = [
  { name: 'Engineering', titles: ['Software Engineer', 'Senior Software Engineer', 'QA Engineer'] },
  { name: 'Sales', titles: ['Account Executive', 'Sales Development Rep'] },
  { name: 'Operations', titles: ['Operations Associate', 'Office Manager'] },
  { name: 'Finance', titles: ['Accountant', 'Payroll Specialist'] },
  { name: 'People', titles: ['HR Generalist', 'Recruiter'] },
] as const;
const CITIES = [
  { city: 'San Francisco', state: 'CA', postal_code: '94105', street: 'Market St' },
  { city: 'Austin', state: 'TX', postal_code: '78701', street: 'Congress Ave' },
  { city: 'New York', state: 'NY', postal_code: '10001', street: 'Broadway' },
  { city: 'Denver', state: 'CO', postal_code: '80202', street: 'Larimer St' },
  { city: 'Chicago', state: 'IL', postal_code: '60601', street: 'Wacker Dr' },
] as const;
const GENDERS = ['female', 'male', 'other', 'decline_to_specify'] as const;
const ETHNICITIES = [
  'asian',
  'white',
  'black_or_african_american',
  'hispanic_or_latino',
  'two_or_more_races',
] as const;
const MARITAL = ['single', 'married', 'divorced', 'domestic_partner'] as const;

const DAY_MS = 86_400_000;
const PAY_PERIOD_DAYS = 14;
/** Finch Sandbox: above 100 employees only one pay period is generated. */
const LARGE_COMPANY = 100;
const PAYROLLS_SMALL_COMPANY = 6;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function money(amount: number): { amount: number; currency: string } {
  return { amount: Math.round(amount), currency: 'usd' };
}

interface Worker {
  id: string;
  first: string;
  middle: string | null;
  last: string;
  department: (typeof DEPARTMENTS)[number]['name'];
  title: string;
  managerId: string | null;
  active: boolean;
  fullTime: boolean;
  /** Cents per year (full-time) or per hour (part-time). */
  rate: number;
  startDate: string;
  endDate: string | null;
}

export function generateCompanyData(seed: CompanySeed): CompanyData {
  const random = new SeededRandom(seed.id);
  const created = Date.parse(`${seed.createdOn}T00:00:00.000Z`);
  const hq = random.pick(CITIES);
  const location = (line1: string, place = hq) => ({
    line1,
    line2: null,
    city: place.city,
    state: place.state,
    postal_code: place.postal_code,
    country: 'US',
  });
  const domain = `${seed.legalName.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example.com`;

  const workers: Worker[] = [];
  const departmentHeads = new Map<string, string>();
  for (let index = 0; index < seed.employeeSize; index++) {
    const id = derivedUuid(seed.id, `individual:${index}`);
    const department = index === 0 ? DEPARTMENTS[2] : DEPARTMENTS[(index - 1) % DEPARTMENTS.length]!;
    const head = departmentHeads.get(department.name);
    const isHead = index !== 0 && head === undefined;
    if (isHead) departmentHeads.set(department.name, id);
    const fullTime = index % 7 !== 6;
    const startMs = created - random.int(90, 3650) * DAY_MS;
    const active = index === 0 || index % 10 !== 9;
    workers.push({
      id,
      first: random.pick(FIRST_NAMES),
      middle: random.next() < 0.3 ? random.pick(FIRST_NAMES) : null,
      last: random.pick(LAST_NAMES),
      department: department.name,
      title:
        index === 0
          ? 'Chief Executive Officer'
          : isHead
            ? `Head of ${department.name}`
            : random.pick(department.titles),
      managerId: index === 0 ? null : isHead ? workers[0]!.id : (head ?? workers[0]!.id),
      active,
      fullTime,
      rate: fullTime ? random.int(55, 190) * 1000_00 : random.int(18, 45) * 100,
      startDate: isoDay(startMs),
      endDate: active ? null : isoDay(created - random.int(7, 60) * DAY_MS),
    });
  }

  const company: FinchCompany = {
    id: seed.id,
    legal_name: seed.legalName,
    entity: { type: 'corporation', subtype: 'c_corporation' },
    primary_email: `payroll@${domain}`,
    primary_phone_number: `5550${String(random.int(100000, 999999))}`,
    departments: DEPARTMENTS.map((d) => ({ name: d.name, parent: null })),
    ein: `${random.int(10, 99)}-${random.int(1000000, 9999999)}`,
    locations: [location(`${random.int(1, 999)} ${hq.street}`)],
    accounts: [
      {
        routing_number: '021000021',
        account_name: 'Payroll Operating',
        institution_name: 'First Sandbox Bank',
        account_type: 'checking',
        account_number: String(random.int(100000000, 999999999)),
      },
    ],
  };

  const directory: DirectoryEntry[] = workers.map((w) => ({
    id: w.id,
    first_name: w.first,
    middle_name: w.middle,
    last_name: w.last,
    manager: w.managerId ? { id: w.managerId } : null,
    department: { name: w.department },
    is_active: w.active,
  }));

  const individuals = new Map<string, IndividualBody>();
  const employments = new Map<string, EmploymentBody>();
  for (const w of workers) {
    const home = random.pick(CITIES);
    individuals.set(w.id, {
      id: w.id,
      first_name: w.first,
      middle_name: w.middle,
      last_name: w.last,
      preferred_name: null,
      emails: [
        { data: `${w.first}.${w.last}@${domain}`.toLowerCase(), type: 'work' },
        { data: `${w.first}${random.int(1, 99)}@mail.example.com`.toLowerCase(), type: 'personal' },
      ],
      phone_numbers: [{ data: `5551${String(random.int(100000, 999999))}`, type: 'personal' }],
      gender: random.pick(GENDERS),
      ethnicity: random.pick(ETHNICITIES),
      marital_status: random.pick(MARITAL),
      dob: isoDay(created - random.int(22, 64) * 365 * DAY_MS),
      residence: location(`${random.int(1, 9999)} ${home.street}`, home),
    });
    const income = {
      unit: w.fullTime ? ('yearly' as const) : ('hourly' as const),
      amount: w.rate,
      currency: 'usd',
      effective_date: w.startDate,
    };
    employments.set(w.id, {
      id: w.id,
      first_name: w.first,
      middle_name: w.middle,
      last_name: w.last,
      title: w.title,
      manager: w.managerId ? { id: w.managerId } : null,
      department: { name: w.department },
      employment: { type: 'employee', subtype: w.fullTime ? 'full_time' : 'part_time' },
      start_date: w.startDate,
      end_date: w.endDate,
      latest_rehire_date: null,
      is_active: w.active,
      employment_status: w.active ? 'active' : 'terminated',
      flsa_status: w.fullTime ? 'exempt' : 'non_exempt',
      union_code: null,
      union_local: null,
      highly_compensated_employee: w.fullTime && w.rate >= 150_000_00,
      key_employee: w.managerId === null,
      class_code: '8810',
      location: company.locations![0]!,
      income,
      income_history: [income],
      custom_fields: [],
      source_id: null,
      work_id: null,
    });
  }

  const payGroupId = derivedUuid(seed.id, 'pay-group:bi-weekly');
  const payrolls = seed.employeeSize > LARGE_COMPANY ? 1 : PAYROLLS_SMALL_COMPANY;
  const payments: Payment[] = [];
  const payStatements = new Map<string, PayStatement[]>();
  for (let period = 0; period < payrolls; period++) {
    const payMs = created - period * PAY_PERIOD_DAYS * DAY_MS;
    const periodEnd = payMs - 4 * DAY_MS;
    const paid = workers.filter((w) => w.fullTime && w.active && w.startDate <= isoDay(periodEnd));
    const statements = paid.map((w) => payStatement(w.id, w.rate / 26));
    const id = derivedUuid(seed.id, `payment:${isoDay(payMs)}`);
    payments.push(
      paymentOf(id, {
        payDate: isoDay(payMs),
        periodStart: isoDay(periodEnd - 13 * DAY_MS),
        periodEnd: isoDay(periodEnd),
        statements,
        payGroupId,
      }),
    );
    payStatements.set(id, statements);
  }

  const benefits = generateBenefitsData({
    companyId: seed.id,
    createdOn: seed.createdOn,
    individuals,
    employments,
    payrollIds: workers.filter((w) => w.fullTime && w.active).map((w) => w.id),
    payGroupId,
  });
  return { company, directory, individuals, employments, payments, payStatements, benefits };
}

export interface PaymentInput {
  payDate: string;
  periodStart: string;
  periodEnd: string;
  statements: PayStatement[];
  payGroupId: string;
}

/** A payment whose totals are the sums of its pay statements. */
export function paymentOf(id: string, input: PaymentInput): Payment {
  const { statements } = input;
  const sum = (pick: (s: PayStatement) => number) => statements.reduce((total, s) => total + pick(s), 0);
  const taxes = (employer: boolean) => (s: PayStatement) =>
    (s.taxes ?? []).filter((t) => t.employer === employer).reduce((t, x) => t + (x.amount ?? 0), 0);
  const contributions = (s: PayStatement) =>
    (s.employer_contributions ?? []).reduce((t, x) => t + (x.amount ?? 0), 0);
  const payMs = Date.parse(`${input.payDate}T00:00:00.000Z`);
  return {
    id,
    pay_period: { start_date: input.periodStart, end_date: input.periodEnd },
    pay_date: input.payDate,
    debit_date: isoDay(payMs - 2 * DAY_MS),
    company_debit: money(sum((s) => s.gross_pay?.amount ?? 0) + sum(taxes(true)) + sum(contributions)),
    gross_pay: money(sum((s) => s.gross_pay?.amount ?? 0)),
    net_pay: money(sum((s) => s.net_pay?.amount ?? 0)),
    employer_taxes: money(sum(taxes(true))),
    employee_taxes: money(sum(taxes(false))),
    individual_ids: statements.map((s) => s.individual_id ?? ''),
    pay_group_ids: [input.payGroupId],
    pay_frequencies: ['bi_weekly'],
  };
}

/** A regular salaried pay statement: federal/state/FICA taxes, the 401(k) deferral and its match. */
export function payStatement(individualId: string, grossCents: number): PayStatement {
  const gross = Math.round(grossCents);
  const tax = (type: 'federal' | 'state' | 'fica', name: string, rate: number, employer: boolean) => ({
    type,
    name,
    employer,
    amount: Math.round(gross * rate),
    currency: 'usd',
  });
  const taxes = [
    tax('federal', 'Federal Income Tax', 0.12, false),
    tax('state', 'State Income Tax', 0.05, false),
    tax('fica', 'Social Security', 0.062, false),
    tax('fica', 'Medicare', 0.0145, false),
    tax('fica', 'Social Security', 0.062, true),
    tax('fica', 'Medicare', 0.0145, true),
  ];
  const retirement = Math.round((gross * RETIREMENT_DEDUCTION_BPS) / 10_000);
  const employeeTaxes = taxes.filter((t) => !t.employer).reduce((total, t) => total + t.amount, 0);
  return {
    individual_id: individualId,
    type: 'regular_payroll',
    payment_method: 'direct_deposit',
    total_hours: 80,
    gross_pay: money(gross),
    net_pay: money(gross - employeeTaxes - retirement),
    earnings: [{ type: 'salary', name: 'Salary', amount: gross, currency: 'usd', hours: 80 }],
    taxes,
    employee_deductions: [
      { name: '401(k)', amount: retirement, currency: 'usd', pre_tax: true, type: '401k' },
    ],
    employer_contributions: [
      {
        name: '401(k) Match',
        amount: Math.round((gross * RETIREMENT_MATCH_BPS) / 10_000),
        currency: 'usd',
        type: '401k',
      },
    ],
  };
}
