/**
 * W-4 documents (`/employer/documents*`, visible once a `w4_form_employee_sync` job fetched them) and benefit plans
 * with their enrollments and dependents (`/employer/plans*`).
 */
import type { W4Document } from '../domain/benefits-data.js';
import { finchJson } from '../http/api.js';
import type { DataAccess } from '../http/data-access.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { batchEntry } from './employer.js';
import { pageOf } from './paging.js';

const DEFAULT_DOCUMENT_LIMIT = 100;
const DEFAULT_PLAN_LIMIT = 50;
const W4_DOCS_URL = 'https://developer.tryfinch.com/api-reference/documents/list-documents';

function syncedW4s(data: DataAccess): W4Document[] {
  const synced = data.connection.w4Synced;
  if (synced.size === 0) {
    throw finchError('w4_sync_required', { extra: { context: { docs_url: W4_DOCS_URL } } });
  }
  return [...data.data.benefits.w4s.values()].filter((d) => synced.has(d.individual_id));
}

export const documentPlanRoutes = [
  specRoute(
    'list-documents',
    (req, _ctx, { data, query }) => {
      const individuals = query.individual_ids as string[] | undefined;
      const types = query.types as string[] | undefined;
      const documents = syncedW4s(data!).filter(
        (d) => (!individuals || individuals.includes(d.individual_id)) && (!types || types.includes(d.type)),
      );
      const { paging, items } = pageOf(documents, query, DEFAULT_DOCUMENT_LIMIT);
      return finchJson(200, {
        paging,
        documents: items.map((d) => ({
          id: d.id,
          individual_id: d.individual_id,
          url: `${req.baseUrl}/employer/documents/${d.id}`,
          year: d.year,
          type: d.type,
        })),
      });
    },
    { product: 'documents' },
  ),

  specRoute(
    'get-document',
    (req, _ctx, { data }) => {
      const document = syncedW4s(data!).find((d) => d.id === req.params.document_id);
      if (!document) throw finchError('not_found', { message: 'Document not found' });
      return finchJson(200, { type: document.type, year: document.year, data: document.data });
    },
    { product: 'documents' },
  ),

  specRoute(
    'list-plans',
    (_req, _ctx, { data, query }) => {
      const plans = data!.data.benefits.plans.filter((p) => !query.plan_type || p.type === query.plan_type);
      const { paging, items } = pageOf(plans, query, DEFAULT_PLAN_LIMIT);
      return finchJson(200, { paging, plans: items });
    },
    { product: 'plans' },
  ),

  specRoute(
    'get-plan',
    (req, _ctx, { data }) => {
      const plan = data!.data.benefits.plans.find((p) => p.id === req.params.plan_id);
      if (!plan) throw finchError('not_found', { message: 'Plan not found' });
      return finchJson(200, plan);
    },
    { product: 'plans' },
  ),

  specRoute(
    'list-plan-enrollments',
    (_req, _ctx, { data, query }) => {
      const { paging, items } = pageOf(data!.data.benefits.planEnrollments, query, DEFAULT_PLAN_LIMIT);
      return finchJson(200, { paging, enrollments: items });
    },
    { product: 'plans_enrollments' },
  ),

  specRoute(
    'get-plan-enrollments',
    (_req, _ctx, { data, body }) => {
      const { requests } = body as { requests: { enrollment_id: string }[] };
      const all = data!.data.benefits.planEnrollments;
      return finchJson(200, {
        responses: requests.map(({ enrollment_id }) =>
          batchEntry(
            'enrollment_id',
            enrollment_id,
            all.find((e) => e.id === enrollment_id),
            'enrollment_not_found',
            `No enrollment with id ${enrollment_id} found`,
          ),
        ),
      });
    },
    { product: 'plans_enrollments' },
  ),

  specRoute(
    'list-plan-dependents',
    (_req, _ctx, { data, query }) => {
      const withSsn = (query.include as string[] | undefined)?.includes('ssn') === true;
      const dependents = data!.data.benefits.dependents.map((d) => (withSsn ? d : { ...d, ssn: null }));
      const { paging, items } = pageOf(dependents, query, DEFAULT_PLAN_LIMIT);
      return finchJson(200, { paging, dependents: items });
    },
    { product: 'plans_dependents' },
  ),

  specRoute(
    'get-plan-dependents',
    (_req, _ctx, { data, body }) => {
      const { requests } = body as { requests: { dependent_id: string }[] };
      const all = data!.data.benefits.dependents;
      return finchJson(200, {
        responses: requests.map(({ dependent_id }) =>
          batchEntry(
            'dependent_id',
            dependent_id,
            all.find((d) => d.dependent_id === dependent_id),
            'dependent_not_found',
            `No dependent with id ${dependent_id} found`,
          ),
        ),
      });
    },
    { product: 'plans_dependents' },
  ),
];
