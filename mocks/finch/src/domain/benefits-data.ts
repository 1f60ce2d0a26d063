/**
 * The deductions, pay-group, document and plan side of a sandbox company, derived from its people and payrolls
 * so everything agrees: the 401(k) deduction every pay statement carries is the 401(k) benefit those employees
 * are enrolled in; the bi-weekly pay group of every payment lists exactly the employees it pays; each employee
 * has one W-4; medical-plan enrollments and dependents belong to real employees. Ids derive from the company id,
 * so they survive re-authentication and every token of every connection sees the same ones.
 */
import type { CompanyBenefit } from '../generated/company-benefits.js';
import type { FinchDocument } from '../generated/document.js';
import type { BatchError, FinchIndividualBenefits } from '../generated/individual-benefits.js';
import type { FinchPayGroup } from '../generated/pay-group.js';
import type { FinchPlanDependents } from '../generated/plan-dependents.js';
import type { FinchPlanEnrollments } from '../generated/plan-enrollments.js';
import type { FinchPlans } from '../generated/plans.js';
import { derivedUuid, SeededRandom } from './deterministic.js';
import type { EmploymentBody, IndividualBody } from './sandbox-data.js';

export type { BenefitFrequency, BenefitType, CompanyBenefit } from '../generated/company-benefits.js';

/** One individual's enrollment in one benefit (a `GET /employer/benefits/{id}/individuals` body). */
export type IndividualBenefit = Exclude<FinchIndividualBenefits[number]['body'], BatchError>;
export type PayGroup = FinchPayGroup;
export type Plan = FinchPlans['plans'][number];
export type PlanEnrollment = FinchPlanEnrollments['enrollments'][number];
export type Dependent = FinchPlanDependents['dependents'][number];

/** A W-4 as `GET /employer/documents/{id}` answers it, with the fields the listing adds. */
export type W4Document = FinchDocument & { id: string; individual_id: string };

export interface BenefitsData {
  benefits: Map<string, CompanyBenefit>;
  /** benefit id → individual id → enrollment. */
  enrollments: Map<string, Map<string, IndividualBenefit>>;
  payGroups: PayGroup[];
  /** individual id → W-4. */
  w4s: Map<string, W4Document>;
  plans: Plan[];
  planEnrollments: PlanEnrollment[];
  dependents: Dependent[];
}

/** The 401(k) deduction and match rates of every sandbox pay statement, in basis points. */
export const RETIREMENT_DEDUCTION_BPS = 500;
export const RETIREMENT_MATCH_BPS = 300;

const CHILD_NAMES = ['Maya', 'Theo', 'Luna', 'Kai', 'Nora', 'Eli'] as const;

export interface BenefitsSeed {
  companyId: string;
  createdOn: string;
  individuals: Map<string, IndividualBody>;
  employments: Map<string, EmploymentBody>;
  /** Individuals the bi-weekly payroll pays (and deducts 401(k) from). */
  payrollIds: string[];
  payGroupId: string;
}

export function generateBenefitsData(seed: BenefitsSeed): BenefitsData {
  const id = (label: string) => derivedUuid(seed.companyId, label);
  const random = new SeededRandom(`benefits:${seed.companyId}`);
  const retirement: CompanyBenefit = {
    benefit_id: id('benefit:401k'),
    type: '401k',
    description: '401(k) Retirement Plan',
    frequency: 'every_paycheck',
    company_contribution: { type: 'match', tiers: [{ match: 10_000, threshold: RETIREMENT_MATCH_BPS }] },
  };
  const medical: CompanyBenefit = {
    benefit_id: id('benefit:s125_medical'),
    type: 's125_medical',
    description: 'Section 125 Medical',
    frequency: 'every_paycheck',
    company_contribution: null,
  };
  const benefits = new Map([retirement, medical].map((b) => [b.benefit_id, b]));
  const enrollments = new Map<string, Map<string, IndividualBenefit>>([
    [
      retirement.benefit_id,
      new Map(
        seed.payrollIds.map((individualId) => [
          individualId,
          {
            employee_deduction: { type: 'percent' as const, amount: RETIREMENT_DEDUCTION_BPS },
            company_contribution: { type: 'percent' as const, amount: RETIREMENT_MATCH_BPS },
            annual_maximum: null,
            catch_up: false,
            hsa_contribution_limit: null,
          },
        ]),
      ),
    ],
    [medical.benefit_id, new Map()],
  ]);

  const payGroups: PayGroup[] = [
    {
      id: seed.payGroupId,
      name: 'Bi-weekly salaried',
      pay_frequencies: ['bi_weekly'],
      individual_ids: seed.payrollIds,
    },
  ];

  const w4s = new Map<string, W4Document>();
  for (const [individualId, employment] of seed.employments) {
    const modern = (employment.start_date ?? '2020-01-01') >= '2020-01-01';
    const document: W4Document = modern
      ? {
          id: id(`w4:${individualId}`),
          individual_id: individualId,
          type: 'w4_2020',
          year: Number((employment.start_date ?? seed.createdOn).slice(0, 4)),
          data: {
            individual_id: individualId,
            filing_status: random.pick([
              'single_or_married_filing_separately',
              'married_filing_jointly_or_qualifying_surviving_spouse',
              'head_of_household',
            ] as const),
            amount_for_qualifying_children_under_17: 0,
            total_claim_dependent_and_other_credits: 0,
            amount_for_other_dependents: 0,
            other_income: 0,
            deductions: 0,
            extra_withholding: 0,
          },
        }
      : {
          id: id(`w4:${individualId}`),
          individual_id: individualId,
          type: 'w4_2005',
          year: Number((employment.start_date ?? '2019').slice(0, 4)),
          data: {
            individual_id: individualId,
            filing_status: random.pick(['single', 'married'] as const),
            total_number_of_allowances: random.int(0, 3),
            additional_withholding: 0,
            exemption: 'non_exempt',
          },
        };
    w4s.set(individualId, document);
  }

  const year = seed.createdOn.slice(0, 4);
  const medicalPlan: Plan = {
    id: id('plan:medical'),
    name: 'Sandbox Health PPO',
    type: 'medical',
    description: 'Preferred-provider medical plan',
    network_type: 'ppo',
    carrier: { id: id('carrier:sandbox-health'), name: 'Sandbox Health' },
    start_date: `${year}-01-01`,
    end_date: `${year}-12-31`,
    coverage_tiers: ['employee_only', 'employee_spouse', 'employee_family'],
    deduction_codes: ['MED'],
  };
  const dentalPlan: Plan = {
    ...medicalPlan,
    id: id('plan:dental'),
    name: 'Sandbox Dental',
    type: 'dental',
    description: 'Dental plan',
    network_type: null,
    deduction_codes: ['DEN'],
  };
  const planEnrollments: PlanEnrollment[] = [];
  const dependents: Dependent[] = [];
  for (const individualId of seed.payrollIds) {
    const person = seed.individuals.get(individualId);
    const married = person?.marital_status === 'married';
    const enrollmentId = id(`plan-enrollment:medical:${individualId}`);
    const dependentIds: string[] = [];
    if (married && person) {
      const dependentId = id(`dependent:${individualId}:0`);
      dependentIds.push(dependentId);
      dependents.push({
        dependent_id: dependentId,
        first_name: random.pick(CHILD_NAMES),
        last_name: person.last_name ?? 'Doe',
        middle_name: null,
        ssn: null,
        date_of_birth: `${Number(year) - random.int(3, 16)}-0${random.int(1, 9)}-1${random.int(0, 9)}`,
        gender: random.pick(['female', 'male'] as const),
        coverage: [
          {
            individual_id: individualId,
            relationship_to_individual: 'child',
            enrollments: [{ id: enrollmentId, type: 'medical' }],
          },
        ],
      });
    }
    planEnrollments.push({
      id: enrollmentId,
      individual_id: individualId,
      plan_id: medicalPlan.id,
      coverage_tier: married ? 'employee_family' : 'employee_only',
      coverage_start_date: medicalPlan.start_date,
      coverage_end_date: null,
      contributions: {
        frequency: 'per_pay_period',
        employee_contribution: { amount: married ? 24_000 : 9_000, currency: 'usd' },
        employer_contribution: { amount: married ? 60_000 : 30_000, currency: 'usd' },
      },
      dependent_ids: dependentIds,
      status: 'active',
    });
  }

  return {
    benefits,
    enrollments,
    payGroups,
    w4s,
    plans: [medicalPlan, dentalPlan],
    planEnrollments,
    dependents,
  };
}
