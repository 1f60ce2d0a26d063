/**
 * Verifications (`/v2/verifications`, `/v2/verifications/{id}`, `/v2/verifications/refresh`) and sessions
 * (`POST /v2/sessions`). The mock serves payroll verifications (`voie`, `voe`); banking and document report types
 * are answered with a 400 naming that limit. A session's `link` opens the mock Link for the verification's user.
 */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import type { ArgyleState, UserRecord, VerificationRecord } from '../domain/state.js';
import { takeRowKey } from '../domain/state.js';
import { userTokenFor } from '../domain/users.js';
import { completeVerifications } from '../domain/verifications.js';
import type { ArgyleSession } from '../generated/session.js';
import type { ArgyleVerification } from '../generated/verification.js';
import { LINK_PATH } from '../link/paths.js';
import { checkUuidFilters } from './data.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, readObject, readString } from './validation.js';

const PAYROLL_TYPES = ['voie', 'voe'] as const;
const OTHER_TYPES = ['voa', 'voi', 'voai', 'voe-transactions', 'doc-voi-mortgage'];

function serialize(req: MockRequest, verification: VerificationRecord): ArgyleVerification {
  return {
    id: verification.id,
    user: verification.userId,
    created_at: verification.createdAt.toISOString(),
    updated_at: verification.updatedAt.toISOString(),
    channel: 'api',
    status: { state: verification.state, code: verification.code, errors: [] },
    report: {
      id: verification.reportId,
      type: verification.reportType,
      file_url:
        verification.reportId === null ? null : `${req.baseUrl}/v2/reports/${verification.reportId}/file`,
      json_url: null,
    },
    employments: [],
    loan: verification.loan,
    billing: verification.billing,
    data_source: 'payroll',
  };
}

function readReportType(
  body: Record<string, unknown>,
  errors: FieldErrors,
): VerificationRecord['reportType'] | null {
  const report = readObject(body, 'report', errors);
  if (report === null) {
    if (!errors.has('report')) errors.add('report', 'This field is required.');
    return null;
  }
  const type = report.type;
  if ((PAYROLL_TYPES as readonly unknown[]).includes(type)) return type as VerificationRecord['reportType'];
  errors.add(
    'report',
    OTHER_TYPES.includes(String(type))
      ? `The mock serves payroll verifications (${PAYROLL_TYPES.join(', ')}) only, not "${String(type)}".`
      : `"${String(type)}" is not a valid report type.`,
  );
  return null;
}

function readUser(
  body: Record<string, unknown>,
  errors: FieldErrors,
  ctx: ArgyleContext,
): UserRecord | undefined {
  const id = readString(body, 'user', errors, { required: true });
  const user = id === null ? undefined : ctx.state.users.get(id);
  if (id !== null && !errors.has('user') && !user)
    errors.add('user', `Invalid pk "${id}" - object does not exist.`);
  return user;
}

function order(req: MockRequest, ctx: ArgyleContext, requireConnection: boolean): VerificationRecord {
  const body = readObjectBody(req);
  const errors = new FieldErrors();
  const user = readUser(body, errors, ctx);
  const reportType = readReportType(body, errors);
  const loan = readObject(body, 'loan', errors);
  const billing = readObject(body, 'billing', errors);
  if (requireConnection && user && !errors.has('user')) {
    const connected = [...ctx.state.accounts.values()].some(
      (account) => account.userId === user.id && account.connection.status === 'connected',
    );
    if (!connected) errors.add('user', 'A refresh needs a connected payroll account.');
  }
  errors.throwIfAny();
  const now = ctx.clock.now();
  const verification: VerificationRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    userId: user!.id,
    reportType: reportType!,
    createdAt: now,
    updatedAt: now,
    state: 'PENDING',
    code: 'pending',
    reportId: null,
    loan,
    billing,
  };
  ctx.state.verifications.set(verification.id, verification);
  // A user whose data is already synced gets the report at once (a refresh always does).
  completeVerifications(ctx);
  return verification;
}

function findVerification(req: MockRequest, ctx: ArgyleContext): VerificationRecord {
  const verification = ctx.state.verifications.get(req.params.id ?? '');
  if (!verification) throw notFound();
  return verification;
}

export const verificationRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/verifications', {
    POST(req, ctx) {
      return jsonResponse(200, serialize(req, order(req, ctx, false)));
    },
    GET(req, ctx) {
      const page = readPageRequest(req, ['user', 'status_state', 'status_code', 'report_type']);
      const errors = new FieldErrors();
      checkUuidFilters(page, ['user'], errors);
      errors.throwIfAny();
      const { filters } = page;
      const rows = [...ctx.state.verifications.values()].filter(
        (verification) =>
          (filters.get('user') === undefined || verification.userId === filters.get('user')) &&
          (filters.get('status_state') === undefined || verification.state === filters.get('status_state')) &&
          (filters.get('status_code') === undefined || verification.code === filters.get('status_code')) &&
          (filters.get('report_type') === undefined ||
            verification.reportType === filters.get('report_type')),
      );
      return pageResponse(req, page, rows, (verification) => serialize(req, verification));
    },
  }),
  ...apiResource('/v2/verifications/refresh', {
    POST(req, ctx) {
      return jsonResponse(200, serialize(req, order(req, ctx, true)));
    },
  }),
  ...apiResource('/v2/verifications/:id', {
    GET(req, ctx) {
      return jsonResponse(200, serialize(req, findVerification(req, ctx)));
    },
    PATCH(req, ctx) {
      const verification = findVerification(req, ctx);
      const body = readObjectBody(req);
      const errors = new FieldErrors();
      const loan = readObject(body, 'loan', errors);
      const billing = readObject(body, 'billing', errors);
      errors.throwIfAny();
      if ('loan' in body) verification.loan = loan;
      if ('billing' in body) verification.billing = billing;
      // Updated verifications re-enter PROCESSING; the next catch-up regenerates the report.
      verification.state = 'PROCESSING';
      verification.code = 'authenticated';
      verification.reportId = null;
      verification.updatedAt = ctx.clock.now();
      return jsonResponse(200, serialize(req, verification));
    },
  }),
  ...apiResource('/v2/sessions', {
    POST(req, ctx) {
      const body = readObjectBody(req);
      const errors = new FieldErrors();
      const id = readString(body, 'verification', errors, { required: true });
      const configuration = readObject(body, 'configuration', errors) ?? {};
      const verification = id === null ? undefined : ctx.state.verifications.get(id);
      if (id !== null && !errors.has('verification') && !verification) {
        errors.add('verification', `Invalid pk "${id}" - object does not exist.`);
      }
      const items = configuration.items;
      if (items !== undefined && (!Array.isArray(items) || items.some((item) => typeof item !== 'string'))) {
        errors.add('configuration', 'items must be a list of Item ids.');
      }
      errors.throwIfAny();
      const query = new URLSearchParams({ user_token: userTokenFor(ctx, verification!.userId) });
      if (Array.isArray(items) && items.length > 0) query.set('items', items.join(','));
      if (typeof configuration.redirect_url === 'string')
        query.set('redirect_uri', configuration.redirect_url);
      if (verification!.state === 'PENDING') {
        verification!.code = 'user_session_started';
        verification!.updatedAt = ctx.clock.now();
      }
      const session: ArgyleSession = {
        verification: verification!.id,
        configuration: { experience: null, single_use_url: false, ...configuration },
        link: `${req.baseUrl}${LINK_PATH}?${query.toString()}`,
        data_source: 'payroll',
      };
      return jsonResponse(200, session);
    },
  }),
];
