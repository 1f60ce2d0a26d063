/**
 * Finch Sandbox data verbs: `PUT /sandbox/company`, `POST /sandbox/directory`, `PUT /sandbox/individual/{id}`,
 * `PUT /sandbox/employment/{id}`, `POST /sandbox/payment`. Each edits the company's staged data (the first
 * entity's company of the token's connection); the edits reach `/employer/*`, with data-change webhooks, when the
 * next data sync completes (`POST /sandbox/jobs` or `POST /jobs/automated`), as Finch documents.
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import { stagedData } from '../domain/connections.js';
import { derivedUuid } from '../domain/deterministic.js';
import {
  type CompanyData,
  type DirectoryEntry,
  type EmploymentBody,
  type IndividualBody,
  paymentOf,
  payStatement,
} from '../domain/sandbox-data.js';
import type { FinchState, SandboxCompany } from '../domain/state.js';
import type { FinchCompany } from '../generated/company.js';
import type { PayStatement } from '../generated/pay-statement.js';
import { finchJson } from '../http/api.js';
import type { Bearer } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';

type Ctx = MockContext<FinchState>;
const DAY_MS = 86_400_000;

const INDIVIDUAL_FIELDS = [
  'first_name',
  'middle_name',
  'last_name',
  'preferred_name',
  'emails',
  'phone_numbers',
  'gender',
  'ethnicity',
  'marital_status',
  'dob',
  'ssn',
  'encrypted_ssn',
  'residence',
] as const;
const EMPLOYMENT_FIELDS = [
  'first_name',
  'middle_name',
  'last_name',
  'title',
  'manager',
  'department',
  'employment',
  'start_date',
  'end_date',
  'latest_rehire_date',
  'is_active',
  'employment_status',
  'flsa_status',
  'class_code',
  'location',
  'income',
  'income_history',
  'custom_fields',
  'union_code',
  'union_local',
  'highly_compensated_employee',
  'key_employee',
  'source_id',
] as const;

type Fields = Record<string, unknown>;

function pick(source: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

function companyOf(ctx: Ctx, bearer: Bearer): SandboxCompany {
  const company = ctx.state.companies.get(bearer.connection.entities[0]!.companyId);
  if (!company) throw finchError('server_error');
  return company;
}

/** The directory row mirrors the names, manager, department and activity of individual + employment. */
function syncDirectory(data: CompanyData, id: string): void {
  const individual = data.individuals.get(id);
  const employment = data.employments.get(id);
  const entry: DirectoryEntry = {
    id,
    first_name: individual?.first_name ?? employment?.first_name ?? null,
    middle_name: individual?.middle_name ?? employment?.middle_name ?? null,
    last_name: individual?.last_name ?? employment?.last_name ?? null,
    manager: employment?.manager ?? null,
    department: employment?.department ?? null,
    is_active: employment?.is_active ?? null,
  };
  const index = data.directory.findIndex((d) => d.id === id);
  if (index < 0) data.directory.push(entry);
  else data.directory[index] = entry;
}

function requireIndividual(data: CompanyData, id: string | undefined): string {
  if (id === undefined || !data.individuals.has(id)) {
    throw finchError('not_found', { message: `No individual with id ${id ?? ''} found` });
  }
  return id;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

interface SandboxPayStatement extends Fields {
  individual_id: string;
  gross_pay?: number;
  net_pay?: number;
}

const withCurrency = (items: unknown) =>
  Array.isArray(items) ? items.map((item) => ({ currency: 'usd', ...(item as Fields) })) : undefined;

/** A pay statement from the sandbox request; amounts left out follow the employee's salary. */
function statementOf(data: CompanyData, input: SandboxPayStatement): PayStatement {
  const income = data.employments.get(input.individual_id)?.income;
  const yearly = income?.unit === 'yearly' ? (income.amount ?? 0) : (income?.amount ?? 0) * 2080;
  const base = payStatement(input.individual_id, input.gross_pay ?? yearly / 26);
  const statement: PayStatement = {
    ...base,
    type: (input.type as PayStatement['type']) ?? 'regular_payroll',
    payment_method: (input.payment_method as PayStatement['payment_method']) ?? 'direct_deposit',
    total_hours: (input.total_hours as number | undefined) ?? base.total_hours,
  };
  for (const key of ['earnings', 'taxes', 'employee_deductions', 'employer_contributions'] as const) {
    const given = withCurrency(input[key]);
    if (given) (statement as unknown as Fields)[key] = given;
  }
  if (input.net_pay !== undefined) statement.net_pay = { amount: input.net_pay, currency: 'usd' };
  return statement;
}

export const sandboxDataRoutes = [
  specRoute('put-sandbox-company', (_req, ctx, { bearer, body }) => {
    const data = stagedData(companyOf(ctx, bearer!));
    data.company = { ...(body as Omit<FinchCompany, 'id'>), id: data.company.id } as FinchCompany;
    return finchJson(200, body);
  }),

  specRoute('post-sandbox-directory', (_req, ctx, { bearer, body }) => {
    const company = companyOf(ctx, bearer!);
    const data = stagedData(company);
    const created = (body as Fields[]).map((person, index) => {
      const id = derivedUuid(company.id, `individual:sandbox:${data.individuals.size + index}`);
      data.individuals.set(id, { id, ...pick(person, INDIVIDUAL_FIELDS) } as IndividualBody);
      data.employments.set(id, { id, ...pick(person, EMPLOYMENT_FIELDS) } as EmploymentBody);
      syncDirectory(data, id);
      return { id, ...person };
    });
    return finchJson(200, created);
  }),

  specRoute('put-sandbox-individual-individual_id', (req, ctx, { bearer, body }) => {
    const data = stagedData(companyOf(ctx, bearer!));
    const id = requireIndividual(data, req.params.individual_id);
    const updated = { ...data.individuals.get(id)!, ...pick(body as Fields, INDIVIDUAL_FIELDS), id };
    data.individuals.set(id, updated as IndividualBody);
    syncDirectory(data, id);
    return finchJson(200, updated);
  }),

  specRoute('put-sandbox-employment-individual_id', (req, ctx, { bearer, body }) => {
    const data = stagedData(companyOf(ctx, bearer!));
    const id = requireIndividual(data, req.params.individual_id);
    const updated = { ...data.employments.get(id)!, ...pick(body as Fields, EMPLOYMENT_FIELDS), id };
    data.employments.set(id, updated as EmploymentBody);
    syncDirectory(data, id);
    return finchJson(200, updated);
  }),

  specRoute('post-sandbox-payment', (_req, ctx, { bearer, body }) => {
    const company = companyOf(ctx, bearer!);
    const data = stagedData(company);
    const request = body as {
      start_date?: string;
      end_date?: string;
      pay_statements?: SandboxPayStatement[];
    };
    const today = ctx.clock.now().getTime();
    const periodEnd = request.end_date ?? isoDay(today);
    const periodStart = request.start_date ?? isoDay(Date.parse(periodEnd) - 13 * DAY_MS);
    const inputs =
      request.pay_statements ??
      data.directory.filter((d) => d.is_active).map((d) => ({ individual_id: d.id }) as SandboxPayStatement);
    for (const input of inputs) requireIndividual(data, input.individual_id);
    const statements = inputs.map((input) => statementOf(data, input));
    const id = derivedUuid(company.id, `payment:sandbox:${data.payments.length}`);
    const payDate = isoDay(Math.max(today, Date.parse(periodEnd)));
    const payGroupId = data.benefits.payGroups[0]?.id ?? derivedUuid(company.id, 'pay-group:bi-weekly');
    data.payments.unshift(paymentOf(id, { payDate, periodStart, periodEnd, statements, payGroupId }));
    data.payStatements.set(id, statements);
    return finchJson(200, { payment_id: id, pay_date: payDate });
  }),
];
