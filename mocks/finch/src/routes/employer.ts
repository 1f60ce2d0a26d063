/** Organization and payroll data: `/employer/company|directory|individual|employment|payment|pay-statement`. */
import type { MockRequest } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { apiRoute, finchJson, readBody } from '../http/api.js';
import { authorizeDataCall } from '../http/data-access.js';
import { finchError, finchErrorBody } from '../http/finch-errors.js';

/** Finch's documented ceiling for one directory page. */
const MAX_PAGE_SIZE = 10_000;
const DEFAULT_DIRECTORY_LIMIT = 100;

function queryInteger(req: MockRequest, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw finchError('invalid_request', { message: `Invalid ${name}: expected a non-negative integer` });
  }
  return value;
}

function queryDate(req: MockRequest, name: string): string {
  const raw = req.query.get(name);
  if (!raw) throw finchError('invalid_request', { message: `Missing required query parameter ${name}` });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) {
    throw finchError('invalid_request', { message: `Invalid ${name}: expected a date as YYYY-MM-DD` });
  }
  return raw;
}

function notFound(finchCode: string, message: string) {
  return { ...finchErrorBody('not_found', message), finch_code: finchCode };
}

const individualRequests = z.object({
  requests: z.array(z.object({ individual_id: z.uuid() })).min(1),
  options: z.object({ include: z.array(z.string()).optional() }).nullish(),
});

const payStatementRequests = z.object({
  requests: z
    .array(
      z.object({
        payment_id: z.uuid(),
        limit: z.number().int().min(1).optional(),
        offset: z.number().int().min(0).optional(),
      }),
    )
    .min(1),
});

export const employerRoutes = [
  apiRoute('GET', '/employer/company', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'company');
    return finchJson(200, data.company);
  }),

  apiRoute('GET', '/employer/directory', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'directory');
    const limit = queryInteger(req, 'limit', DEFAULT_DIRECTORY_LIMIT);
    const offset = queryInteger(req, 'offset', 0);
    if (limit > MAX_PAGE_SIZE) throw finchError('page_size_limit_exceeded');
    return finchJson(200, {
      paging: { count: data.directory.length, offset },
      individuals: data.directory.slice(offset, offset + limit),
    });
  }),

  apiRoute('POST', '/employer/individual', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'individual');
    const { requests } = readBody(req, individualRequests);
    return finchJson(200, {
      responses: requests.map(({ individual_id }) => {
        const body = data.individuals.get(individual_id);
        return body
          ? { individual_id, code: 200, body }
          : { individual_id, code: 404, body: notFound('individual_not_found', 'Individual not found') };
      }),
    });
  }),

  apiRoute('POST', '/employer/employment', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'employment');
    const { requests } = readBody(req, individualRequests);
    return finchJson(200, {
      responses: requests.map(({ individual_id }) => {
        const body = data.employments.get(individual_id);
        return body
          ? { individual_id, code: 200, body }
          : { individual_id, code: 404, body: notFound('individual_not_found', 'Individual not found') };
      }),
    });
  }),

  apiRoute('GET', '/employer/payment', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'payment');
    const start = queryDate(req, 'start_date');
    const end = queryDate(req, 'end_date');
    if (start > end)
      throw finchError('invalid_request', { message: 'start_date must not be after end_date' });
    return finchJson(
      200,
      data.payments.filter((p) => p.pay_date !== null && p.pay_date >= start && p.pay_date <= end),
    );
  }),

  apiRoute('POST', '/employer/pay-statement', (req, ctx) => {
    const { data } = authorizeDataCall(req, ctx, 'pay_statement');
    const { requests } = readBody(req, payStatementRequests);
    return finchJson(200, {
      responses: requests.map(({ payment_id, limit, offset = 0 }) => {
        const statements = data.payStatements.get(payment_id);
        if (!statements) {
          return { payment_id, code: 404, body: notFound('payment_not_found', 'Payment not found') };
        }
        const page = statements.slice(offset, limit === undefined ? undefined : offset + limit);
        return {
          payment_id,
          code: 200,
          body: { paging: { count: statements.length, offset }, pay_statements: page },
        };
      }),
    });
  }),
];
