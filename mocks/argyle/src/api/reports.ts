/**
 * Reports: `POST /v2/reports/{type}` (`voe`, `voie`, `voe-mortgage`, `voie-mortgage`) with `{"user": …}`, list,
 * retrieve, delete, and the PDF behind `file_url`. A report is `generated` at once when the user has a synced
 * account, `waiting_for_sync` otherwise; Argyle's daily limit of 10 reports per user is enforced.
 */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { MockHttpError } from '@reconnect-kit/mock-engine';
import { createReport } from '../domain/reports.js';
import type { ArgyleState, ReportRecord, ReportType } from '../domain/state.js';
import type { ArgyleReport } from '../generated/report.js';
import { checkUuidFilters } from './data.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { pdfFor } from './pdf.js';
import { FieldErrors, readObject, readString } from './validation.js';

const REPORT_TYPES: readonly ReportType[] = ['voe', 'voie', 'voe-mortgage', 'voie-mortgage'];
const DAILY_LIMIT = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

function serializeReport(req: MockRequest, report: ReportRecord): ArgyleReport {
  const created = report.createdAt.toISOString();
  const synced = report.accounts
    .map((account) => account.lastSyncedAt?.getTime() ?? 0)
    .reduce((latest, ms) => Math.max(latest, ms), 0);
  return {
    id: report.id,
    user: report.userId,
    reference_id: report.id,
    generated_at: created,
    created_at: created,
    type: report.type,
    status: report.status,
    file_url: report.status === 'generated' ? `${req.baseUrl}/v2/reports/${report.id}/file` : null,
    json_url: null,
    last_synced_at: synced === 0 ? null : new Date(synced).toISOString(),
    accounts: report.accounts.map((account) => ({
      id: account.id,
      item: account.item,
      last_synced_at: account.lastSyncedAt?.toISOString() ?? null,
    })),
    metadata: report.metadata,
    external_id: report.externalId,
  };
}

function findReport(req: MockRequest, ctx: ArgyleContext): ReportRecord {
  const report = ctx.state.reports.get(req.params.id ?? '');
  if (!report) throw notFound();
  return report;
}

function generate(req: MockRequest, ctx: ArgyleContext): ReportRecord {
  const type = req.params.id as ReportType;
  if (!REPORT_TYPES.includes(type)) throw notFound();
  const body = readObjectBody(req);
  const errors = new FieldErrors();
  const userId = readString(body, 'user', errors, { required: true });
  const metadata = readObject(body, 'metadata', errors);
  const user = userId === null ? undefined : ctx.state.users.get(userId);
  if (userId !== null && !errors.has('user') && !user)
    errors.add('user', `Invalid pk "${userId}" - object does not exist.`);
  errors.throwIfAny();
  const now = ctx.clock.now();
  const today = [...ctx.state.reports.values()].filter(
    (report) => report.userId === userId && now.getTime() - report.createdAt.getTime() < DAY_MS,
  );
  if (today.length >= DAILY_LIMIT) {
    throw new MockHttpError(429, {
      detail: `Report limit reached: at most ${DAILY_LIMIT} reports per user per day.`,
    });
  }
  return createReport(ctx, user!, type, metadata ?? {});
}

export const reportRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/reports', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['user']);
      const errors = new FieldErrors();
      checkUuidFilters(page, ['user'], errors);
      errors.throwIfAny();
      const user = page.filters.get('user');
      const reports = [...ctx.state.reports.values()].filter(
        (report) => user === undefined || report.userId === user,
      );
      return pageResponse(req, page, reports, (report) => serializeReport(req, report));
    },
  }),
  // One path pattern: `POST /v2/reports/{type}` generates, `GET|DELETE /v2/reports/{id}` read and delete.
  ...apiResource('/v2/reports/:id', {
    POST(req, ctx) {
      return jsonResponse(200, serializeReport(req, generate(req, ctx)));
    },
    GET(req, ctx) {
      return jsonResponse(200, serializeReport(req, findReport(req, ctx)));
    },
    DELETE(req, ctx) {
      ctx.state.reports.delete(findReport(req, ctx).id);
      return { status: 204 };
    },
  }),
  ...apiResource('/v2/reports/:id/file', {
    GET(req, ctx) {
      const report = findReport(req, ctx);
      if (report.status !== 'generated') throw notFound();
      return {
        status: 200,
        headers: { 'content-type': 'application/pdf' },
        body: pdfFor(`Argyle ${report.type.toUpperCase()} report ${report.id}`),
      };
    },
  }),
];
