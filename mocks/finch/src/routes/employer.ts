/** Organization and payroll data: `/employer/company|directory|individual|employment|payment|pay-statement`. */
import { finchJson } from '../http/api.js';
import { finchError, finchErrorBody } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { pageOf } from './paging.js';

/** Finch's documented ceilings: one directory page, one batch of individuals. */
const MAX_PAGE_SIZE = 10_000;
const MAX_BATCH = 10_000;
const DEFAULT_DIRECTORY_LIMIT = 100;

export function batchNotFound(finchCode: string, message: string) {
  return { ...finchErrorBody('not_found', message), finch_code: finchCode };
}

/**
 * One entry of a batch answer, keyed by the id it asked for (`{ individual_id, code, body }`): 200 with `found`, or
 * 404 with a `batchNotFound(finchCode, message)` body when nothing was found.
 */
export function batchEntry(key: string, id: string, found: unknown, finchCode: string, message: string) {
  return found
    ? { [key]: id, code: 200, body: found }
    : { [key]: id, code: 404, body: batchNotFound(finchCode, message) };
}

type IndividualRequests = { requests: { individual_id: string }[] };

/** `/employer/individual` and `/employer/employment`: one entry per requested individual, read from `records`. */
function individualBatch({ requests }: IndividualRequests, records: ReadonlyMap<string, unknown>) {
  return finchJson(200, {
    responses: requests.map(({ individual_id }) =>
      batchEntry(
        'individual_id',
        individual_id,
        records.get(individual_id),
        'individual_not_found',
        `No individual with id ${individual_id} found`,
      ),
    ),
  });
}
type PayStatementRequests = { requests: { payment_id: string; limit?: number; offset?: number }[] };

export const employerRoutes = [
  specRoute('get-company', (_req, _ctx, { data }) => finchJson(200, data!.data.company), {
    product: 'company',
  }),

  specRoute(
    'get-directory',
    (_req, _ctx, { data, query }) => {
      const { paging, items } = pageOf(data!.data.directory, query, DEFAULT_DIRECTORY_LIMIT);
      return finchJson(200, { paging, individuals: items });
    },
    { product: 'directory', limits: { page: MAX_PAGE_SIZE } },
  ),

  specRoute(
    'get-individual',
    (_req, _ctx, { data, body }) => individualBatch(body as IndividualRequests, data!.data.individuals),
    { product: 'individual', limits: { batch: MAX_BATCH } },
  ),

  specRoute(
    'get-employment',
    (_req, _ctx, { data, body }) => individualBatch(body as IndividualRequests, data!.data.employments),
    { product: 'employment', limits: { batch: MAX_BATCH } },
  ),

  specRoute(
    'get-payment',
    (_req, _ctx, { data, query }) => {
      const start = query.start_date as string;
      const end = query.end_date as string;
      if (start > end) {
        throw finchError('invalid_request', { message: 'start_date must not be after end_date' });
      }
      return finchJson(
        200,
        data!.data.payments.filter((p) => p.pay_date !== null && p.pay_date >= start && p.pay_date <= end),
      );
    },
    { product: 'payment' },
  ),

  specRoute(
    'get-pay-statement',
    (_req, _ctx, { data, body }) => {
      const { requests } = body as PayStatementRequests;
      return finchJson(200, {
        responses: requests.map(({ payment_id, limit, offset = 0 }) => {
          const statements = data!.data.payStatements.get(payment_id);
          if (!statements) {
            return {
              payment_id,
              code: 404,
              body: batchNotFound('payment_not_found', `No payment with id ${payment_id} found`),
            };
          }
          const page = statements.slice(offset, limit === undefined ? undefined : offset + limit);
          return {
            payment_id,
            code: 200,
            body: { paging: { count: statements.length, offset }, pay_statements: page },
          };
        }),
      });
    },
    { product: 'pay_statement', limits: { batch: MAX_BATCH } },
  ),
];
