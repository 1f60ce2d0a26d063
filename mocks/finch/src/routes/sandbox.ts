/** Finch Sandbox verbs: create connections and accounts, force a connection status, run and configure sync jobs. */
import type { MockContext } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import {
  createCompany,
  createConnection,
  DEFAULT_EMPLOYEE_SIZE,
  DEFAULT_SANDBOX_PRODUCTS,
  issueAccessToken,
  setConnectionStatus,
} from '../domain/connections.js';
import { PROVIDER_IDS } from '../domain/providers.js';
import {
  AUTHENTICATION_TYPES,
  type ConnectionLifecycleStatus,
  FINCH_CONNECTION_STATUSES,
  type FinchConnection,
  type FinchState,
  JOB_COMPLETION_STATUSES,
  type JobCompletionStatus,
  type SandboxJob,
} from '../domain/state.js';
import type { FinchSandboxConnection } from '../generated/sandbox-connection.js';
import type {
  CreateSandboxAccountResponse,
  UpdateSandboxAccountResponse,
} from '../generated/sandbox-connection-account.js';
import { apiRoute, finchJson, readBody } from '../http/api.js';
import { authenticateClient, authenticateToken } from '../http/auth.js';
import { finchError } from '../http/finch-errors.js';
import { enqueueConnectionEvent } from '../webhooks.js';

/** The sandbox login a connection made through the sandbox API belongs to (see README: legacy re-auth). */
const SANDBOX_API_USERNAME = 'good_user';
/** Finch's org products, the default of `POST /sandbox/connections/accounts`. */
const ORG_PRODUCTS = ['company', 'directory', 'employment', 'individual'];
const MAX_EMPLOYEE_SIZE = 10_000;
/** Data-sync refreshes a connection may start per day of mock time. */
const ALLOWED_REFRESHES = 10;
const DAY_MS = 86_400_000;

const providerId = z.enum(PROVIDER_IDS);
const authenticationType = z.enum(AUTHENTICATION_TYPES);
const productList = z.array(z.string().min(1)).min(1);

const createConnectionRequest = z.object({
  provider_id: providerId,
  authentication_type: authenticationType.optional(),
  products: productList.optional(),
  employee_size: z.number().int().min(1).max(MAX_EMPLOYEE_SIZE).optional(),
});
const createAccountRequest = z.object({
  company_id: z.string().min(1),
  provider_id: providerId,
  authentication_type: authenticationType.optional(),
  products: productList.optional(),
});
const updateAccountRequest = z.object({ connection_status: z.enum(FINCH_CONNECTION_STATUSES) });
const jobRequest = z.object({ type: z.literal('data_sync_all') });
const jobConfiguration = z.object({
  type: z.literal('data_sync_all'),
  completion_status: z.enum(JOB_COMPLETION_STATUSES),
});

type Ctx = MockContext<FinchState>;

export interface SandboxConnectionInput {
  provider_id: string;
  authentication_type?: (typeof AUTHENTICATION_TYPES)[number] | undefined;
  products?: string[] | undefined;
  employee_size?: number | undefined;
  customer_id?: string | undefined;
  customer_name?: string | undefined;
}

/** `POST /sandbox/connections`, also used by the `finch.seed_connected` scenario. */
export function createSandboxConnection(ctx: Ctx, clientId: string, input: SandboxConnectionInput) {
  const connection = createConnection(ctx, {
    company: createCompany(ctx, input.employee_size ?? DEFAULT_EMPLOYEE_SIZE),
    clientId,
    providerId: input.provider_id,
    authenticationType: input.authentication_type ?? 'credential',
    products: input.products ?? DEFAULT_SANDBOX_PRODUCTS,
    customerId: input.customer_id ?? null,
    customerName: input.customer_name ?? null,
    username: SANDBOX_API_USERNAME,
  });
  const response: FinchSandboxConnection = {
    access_token: issueAccessToken(ctx, connection),
    account_id: connection.accountId,
    authentication_type: connection.authenticationType,
    company_id: connection.companyId,
    connection_id: connection.id,
    entity_id: connection.entityId,
    products: connection.products,
    provider_id: connection.providerId,
    token_type: 'bearer',
  };
  return { connection, response };
}

function accountFields(connection: FinchConnection): UpdateSandboxAccountResponse {
  return {
    connection_id: connection.id,
    entity_id: connection.entityId,
    account_id: connection.accountId,
    authentication_type: connection.authenticationType,
    company_id: connection.companyId,
    provider_id: connection.providerId,
    products: connection.products,
  };
}

const JOB_STATUS_EFFECTS: Partial<Record<JobCompletionStatus, ConnectionLifecycleStatus>> = {
  reauth_error: 'reauth',
  permissions_error: 'error_permissions',
};

function refreshesLeft(ctx: Ctx, connection: FinchConnection): number {
  const since = ctx.clock.now().getTime() - DAY_MS;
  let used = 0;
  for (const job of ctx.state.jobs.values()) {
    if (job.connectionId === connection.id && job.createdAt.getTime() > since) used += 1;
  }
  return ALLOWED_REFRESHES - used;
}

function jobUrl(baseUrl: string, jobId: string): string {
  return `${baseUrl}/jobs/automated/${jobId}`;
}

export const sandboxRoutes = [
  apiRoute('POST', '/sandbox/connections', (req, ctx) => {
    const clientId = authenticateClient(req, ctx);
    const body = readBody(req, createConnectionRequest);
    return finchJson(200, createSandboxConnection(ctx, clientId, body).response);
  }),

  apiRoute('POST', '/sandbox/connections/accounts', (req, ctx) => {
    const clientId = authenticateClient(req, ctx);
    const body = readBody(req, createAccountRequest);
    const company = ctx.state.companies.get(body.company_id);
    if (!company) throw finchError('invalid_request', { message: 'Company not found' });
    // A second login to the same provider joins the existing connection, as when a user authenticates twice.
    const existing = [...ctx.state.connections.values()].find(
      (c) =>
        c.status !== 'disconnected' &&
        c.clientId === clientId &&
        c.companyId === company.id &&
        c.providerId === body.provider_id,
    );
    const connection =
      existing ??
      createConnection(ctx, {
        company,
        clientId,
        providerId: body.provider_id,
        authenticationType: body.authentication_type ?? 'credential',
        products: body.products ?? ORG_PRODUCTS,
        username: SANDBOX_API_USERNAME,
      });
    const response: CreateSandboxAccountResponse = {
      ...accountFields(connection),
      company_id: connection.companyId,
      access_token: issueAccessToken(ctx, connection),
    };
    return finchJson(200, response);
  }),

  apiRoute('PUT', '/sandbox/connections/accounts', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    const body = readBody(req, updateAccountRequest);
    setConnectionStatus(ctx, connection, body.connection_status);
    return finchJson(200, accountFields(connection));
  }),

  apiRoute('POST', '/sandbox/jobs', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    readBody(req, jobRequest);
    const remaining = refreshesLeft(ctx, connection);
    if (remaining <= 0) {
      throw finchError('refresh_quota_exhausted', {
        extra: { allowed_refreshes: ALLOWED_REFRESHES, remaining_refreshes: 0 },
      });
    }
    const job: SandboxJob = {
      id: ctx.newId(),
      connectionId: connection.id,
      type: 'data_sync_all',
      status: connection.jobCompletionStatus,
      createdAt: ctx.clock.now(),
    };
    ctx.state.jobs.set(job.id, job);
    const effect = JOB_STATUS_EFFECTS[job.status];
    if (effect) setConnectionStatus(ctx, connection, effect);
    else if (job.status === 'complete') connection.lastSuccessfulSync = job.createdAt;
    const url = jobUrl(req.baseUrl, job.id);
    enqueueConnectionEvent(ctx, connection, 'job.data_sync_all.completed', { job_id: job.id, job_url: url });
    return finchJson(200, {
      job_id: job.id,
      job_url: url,
      allowed_refreshes: ALLOWED_REFRESHES,
      remaining_refreshes: remaining - 1,
    });
  }),

  apiRoute('GET', '/sandbox/jobs/configuration', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    return finchJson(200, [{ type: 'data_sync_all', completion_status: connection.jobCompletionStatus }]);
  }),

  apiRoute('PUT', '/sandbox/jobs/configuration', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    const body = readBody(req, jobConfiguration);
    connection.jobCompletionStatus = body.completion_status;
    return finchJson(200, body);
  }),

  apiRoute('GET', '/jobs/automated/:job_id', (req, ctx) => {
    const { connection } = authenticateToken(req, ctx);
    const job = ctx.state.jobs.get(req.params.job_id ?? '');
    if (!job || job.connectionId !== connection.id) {
      throw finchError('not_found', { message: 'Job not found' });
    }
    const at = job.createdAt.toISOString();
    return finchJson(200, {
      job_id: job.id,
      job_url: jobUrl(req.baseUrl, job.id),
      type: job.type,
      status: job.status,
      params: null,
      created_at: at,
      scheduled_at: at,
      started_at: at,
      completed_at: at,
    });
  }),
];
