/**
 * Deductions (`/employer/benefits*`): company benefits, their metadata, and individuals' enrollments. Writes
 * apply at once (Finch calls the provider live) and each returns a manual job, settled immediately, that fires
 * `job.benefit_*.completed`.
 */
import type { MockContext } from '@reconnect-kit/mock-engine';
import type {
  BenefitFrequency,
  BenefitType,
  CompanyBenefit,
  IndividualBenefit,
} from '../domain/benefits-data.js';
import { enqueueJob, settleJobs } from '../domain/jobs.js';
import type { FinchState, JobType } from '../domain/state.js';
import { finchJson } from '../http/api.js';
import type { DataAccess } from '../http/data-access.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { batchEntry } from './employer.js';

type Ctx = MockContext<FinchState>;

/** What the sandbox's providers support for each benefit type (`/employer/benefits/meta`). */
const SUPPORTED_TYPES: NonNullable<BenefitType>[] = [
  '401k',
  '401k_roth',
  's125_medical',
  's125_dental',
  'hsa_pre',
  'fsa_medical',
];

function benefitOf(data: DataAccess, benefitId: string | undefined): CompanyBenefit {
  const benefit = benefitId === undefined ? undefined : data.data.benefits.benefits.get(benefitId);
  if (!benefit) {
    throw finchError('not_found', { message: `No benefit with id ${benefitId ?? ''} found` });
  }
  return benefit;
}

/** Runs a deductions write as a manual job that completes at once and reports per-item results. */
function deductionsJob(ctx: Ctx, data: DataAccess, type: JobType, results: unknown[]): string {
  const job = enqueueJob(ctx, data.connection, { kind: 'manual', type, runMs: 0, results });
  settleJobs(ctx);
  return job.id;
}

interface EnrollmentRequest {
  individual_id?: string;
  configuration?: {
    employee_deduction?: { type?: 'fixed' | 'percent'; amount?: number };
    company_contribution?: {
      type?: 'fixed' | 'percent' | 'tiered';
      amount?: number;
      tiers?: { match: number; threshold: number }[];
    };
    annual_maximum?: number | null;
    annual_contribution_limit?: 'individual' | 'family';
    catch_up?: boolean;
  };
}

type Tier = { match: number; threshold: number };

/** A requested contribution; a tiered one needs at least one tier (else the current one stays). */
function contributionOf(
  requested: NonNullable<EnrollmentRequest['configuration']>['company_contribution'],
  current: IndividualBenefit['company_contribution'],
): IndividualBenefit['company_contribution'] {
  if (!requested?.type) return current;
  if (requested.type !== 'tiered') return { type: requested.type, amount: requested.amount ?? 0 };
  const [first, ...rest] = requested.tiers ?? [];
  return first ? { type: 'tiered', tiers: [first, ...rest] as [Tier, ...Tier[]] } : current;
}

function enrollmentOf(request: EnrollmentRequest, current: IndividualBenefit | undefined): IndividualBenefit {
  const config = request.configuration ?? {};
  const deduction = config.employee_deduction;
  const contribution = config.company_contribution;
  return {
    employee_deduction:
      deduction?.type && deduction.amount !== undefined
        ? { type: deduction.type, amount: deduction.amount }
        : (current?.employee_deduction ?? null),
    company_contribution: contributionOf(contribution, current?.company_contribution ?? null),
    annual_maximum: config.annual_maximum ?? current?.annual_maximum ?? null,
    catch_up: config.catch_up ?? current?.catch_up ?? null,
    hsa_contribution_limit: config.annual_contribution_limit ?? current?.hsa_contribution_limit ?? null,
  };
}

function createBenefit(ctx: Ctx, data: DataAccess, body: Partial<CompanyBenefit>, type: JobType) {
  const benefit: CompanyBenefit = {
    benefit_id: ctx.newId(),
    type: (body.type as BenefitType | undefined) ?? null,
    description: body.description ?? null,
    frequency: (body.frequency as BenefitFrequency | undefined) ?? null,
    company_contribution: body.company_contribution ?? null,
  };
  data.data.benefits.benefits.set(benefit.benefit_id, benefit);
  data.data.benefits.enrollments.set(benefit.benefit_id, new Map());
  const jobId = deductionsJob(ctx, data, type, [{ benefit_id: benefit.benefit_id, code: 201 }]);
  return finchJson(201, { benefit_id: benefit.benefit_id, job_id: jobId });
}

export const benefitRoutes = [
  specRoute(
    'get-company-benefits',
    (_req, _ctx, { data }) => finchJson(200, [...data!.data.benefits.benefits.values()]),
    {
      product: 'benefits',
    },
  ),

  specRoute(
    'get-company-benefits-meta',
    () =>
      finchJson(
        200,
        SUPPORTED_TYPES.map((type) => ({
          type,
          description: `${type} deductions`,
          frequencies: ['every_paycheck'],
          employee_deduction: ['fixed', 'percent'],
          company_contribution: type.startsWith('401k') ? ['fixed', 'percent', 'tiered'] : ['fixed'],
          annual_maximum: true,
          catch_up: type.startsWith('401k'),
          hsa_contribution_limit: type.startsWith('hsa') ? ['individual', 'family'] : null,
        })),
      ),
    { product: 'benefits' },
  ),

  specRoute(
    'create-company-benefits',
    (_req, ctx, { data, body }) =>
      createBenefit(ctx, data!, body as Partial<CompanyBenefit>, 'benefit_create'),
    {
      product: 'benefits',
    },
  ),

  specRoute(
    'register-company-benefits',
    (_req, ctx, { data, body }) =>
      createBenefit(ctx, data!, body as Partial<CompanyBenefit>, 'benefit_register'),
    { product: 'benefits' },
  ),

  specRoute(
    'get-company-benefit',
    (req, _ctx, { data }) => finchJson(200, benefitOf(data!, req.params.benefit_id)),
    { product: 'benefits' },
  ),

  specRoute(
    'update-company-benefits',
    (req, ctx, { data, body }) => {
      const benefit = benefitOf(data!, req.params.benefit_id);
      const changes = body as Partial<CompanyBenefit>;
      if (changes.description !== undefined) benefit.description = changes.description;
      if (changes.company_contribution !== undefined)
        benefit.company_contribution = changes.company_contribution;
      const jobId = deductionsJob(ctx, data!, 'benefit_update', [
        { benefit_id: benefit.benefit_id, code: 200 },
      ]);
      return finchJson(200, { benefit_id: benefit.benefit_id, job_id: jobId });
    },
    { product: 'benefits' },
  ),

  specRoute(
    'get-company-benefits-enrolled',
    (req, _ctx, { data }) => {
      const benefit = benefitOf(data!, req.params.benefit_id);
      const enrolled = data!.data.benefits.enrollments.get(benefit.benefit_id) ?? new Map();
      return finchJson(200, { benefit_id: benefit.benefit_id, individual_ids: [...enrolled.keys()] });
    },
    { product: 'benefits' },
  ),

  specRoute(
    'get-individual-benefits',
    (req, _ctx, { data, query }) => {
      const benefit = benefitOf(data!, req.params.benefit_id);
      const enrolled = data!.data.benefits.enrollments.get(benefit.benefit_id) ?? new Map();
      const wanted =
        typeof query.individual_ids === 'string' && query.individual_ids !== ''
          ? query.individual_ids.split(',')
          : [...enrolled.keys()];
      return finchJson(
        200,
        wanted.map((individual_id) =>
          batchEntry(
            'individual_id',
            individual_id,
            enrolled.get(individual_id),
            'individual_not_found',
            `Individual ${individual_id} is not enrolled`,
          ),
        ),
      );
    },
    { product: 'benefits' },
  ),

  specRoute(
    'post-employer-individual-benefits-benefit_id',
    (req, ctx, { data, body }) => {
      const benefit = benefitOf(data!, req.params.benefit_id);
      const enrolled = data!.data.benefits.enrollments.get(benefit.benefit_id)!;
      const results = (body as EnrollmentRequest[]).map((request) => {
        const individualId = request.individual_id ?? '';
        if (!data!.data.individuals.has(individualId)) {
          return { individual_id: individualId, code: 404, message: 'Individual not found' };
        }
        enrolled.set(individualId, enrollmentOf(request, enrolled.get(individualId)));
        return { individual_id: individualId, code: 200 };
      });
      return finchJson(200, { job_id: deductionsJob(ctx, data!, 'benefit_enroll', results) });
    },
    { product: 'benefits' },
  ),

  specRoute(
    'delete-individual-benefits',
    (req, ctx, { data, body }) => {
      const benefit = benefitOf(data!, req.params.benefit_id);
      const enrolled = data!.data.benefits.enrollments.get(benefit.benefit_id)!;
      const results = ((body as { individual_ids?: string[] }).individual_ids ?? []).map((individualId) => ({
        individual_id: individualId,
        code: enrolled.delete(individualId) ? 200 : 404,
      }));
      return finchJson(200, { job_id: deductionsJob(ctx, data!, 'benefit_unenroll', results) });
    },
    { product: 'benefits' },
  ),
];
