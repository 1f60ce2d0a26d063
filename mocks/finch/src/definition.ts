import { defineMockProvider, type EngineErrorInput } from '@reconnect-kit/mock-engine';
import { FINCH_CREDENTIAL_ENV, FINCH_DEFAULT_CREDENTIALS } from './credentials.js';
import { settleJobs } from './domain/jobs.js';
import { createFinchState, type FinchState } from './domain/state.js';
import { type FinchErrorKind, finchErrorBody } from './http/finch-errors.js';
import { benefitRoutes } from './routes/benefits.js';
import { connectPageRoutes } from './routes/connect-page.js';
import { connectSessionRoutes } from './routes/connect-sessions.js';
import { documentPlanRoutes } from './routes/documents-plans.js';
import { employerRoutes } from './routes/employer.js';
import { jobRoutes } from './routes/jobs.js';
import { managementRoutes } from './routes/management.js';
import { payrollRoutes } from './routes/payroll.js';
import { sandboxRoutes } from './routes/sandbox.js';
import { sandboxDataRoutes } from './routes/sandbox-data.js';
import { finchScenarios } from './scenarios.js';
import { finchWebhookScheme } from './webhooks.js';

/** The Finch error an engine-made error (bad JSON, unknown route, injected fault) looks like, by status. */
const ENGINE_ERROR_KINDS: Partial<Record<number, FinchErrorKind>> = {
  400: 'invalid_request',
  401: 'invalid_token',
  403: 'insufficient_scope',
  404: 'not_found',
  429: 'rate_limited',
  500: 'server_error',
  502: 'upstream_provider_error',
  503: 'provider_unavailable',
};

function engineErrorBody({ status, code, message }: EngineErrorInput) {
  const kind = ENGINE_ERROR_KINDS[status];
  return kind ? finchErrorBody(kind, message) : { code: status, name: code, message };
}

/** The Finch mock: API, sandbox verbs, Connect page, scenarios and Finch-signed webhooks. */
export const finchMock = defineMockProvider<FinchState>({
  id: 'finch',
  defaultCredentials: { ...FINCH_DEFAULT_CREDENTIALS },
  credentialEnv: { ...FINCH_CREDENTIAL_ENV },
  createState: createFinchState,
  routes: [
    ...managementRoutes,
    ...connectSessionRoutes,
    ...connectPageRoutes,
    ...sandboxRoutes,
    ...sandboxDataRoutes,
    ...jobRoutes,
    ...employerRoutes,
    ...payrollRoutes,
    ...benefitRoutes,
    ...documentPlanRoutes,
  ],
  scenarios: finchScenarios,
  webhooks: finchWebhookScheme,
  errorBody: engineErrorBody,
  // Jobs finish on the mock clock: before every request and right after an admin call (e.g. a clock change).
  catchUp(ctx) {
    settleJobs(ctx);
  },
});
