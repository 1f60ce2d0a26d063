/** Finch Sandbox verbs: create connections and accounts, force a connection status, configure sync jobs. */
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
  FINCH_CONNECTION_STATUSES,
  type FinchConnection,
  type FinchState,
  type JobCompletionStatus,
} from '../domain/state.js';
import type { FinchSandboxConnection } from '../generated/sandbox-connection.js';
import type {
  CreateSandboxAccountResponse,
  UpdateSandboxAccountResponse,
} from '../generated/sandbox-connection-account.js';
import { finchJson, readBody } from '../http/api.js';
import { finchError } from '../http/finch-errors.js';
import { specRoute } from '../http/spec-route.js';
import { publicCompanyId } from './management.js';

/** The sandbox login a connection made through the sandbox API belongs to (see README: legacy re-auth). */
const SANDBOX_API_USERNAME = 'good_user';
/** Finch's org products, the default of `POST /sandbox/connections/accounts`. */
const ORG_PRODUCTS = ['company', 'directory', 'employment', 'individual'];
const MAX_EMPLOYEE_SIZE = 10_000;

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

type Ctx = MockContext<FinchState>;

export interface SandboxConnectionInput {
  provider_id: string;
  authentication_type?: (typeof AUTHENTICATION_TYPES)[number] | undefined;
  products?: string[] | undefined;
  employee_size?: number | undefined;
  customer_id?: string | undefined;
  customer_name?: string | undefined;
  /** Legal employers behind the login (default 1): more make a multi-entity connection. */
  entities?: number | undefined;
}

/** `POST /sandbox/connections`, also used by the `finch.seed_connected` scenario. */
export function createSandboxConnection(ctx: Ctx, clientId: string, input: SandboxConnectionInput) {
  const connection = createConnection(ctx, {
    company: createCompany(ctx, input.employee_size ?? DEFAULT_EMPLOYEE_SIZE),
    moreEntities: Array.from({ length: (input.entities ?? 1) - 1 }, () =>
      createCompany(ctx, input.employee_size ?? DEFAULT_EMPLOYEE_SIZE),
    ),
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
    company_id: publicCompanyId(connection),
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

export const sandboxRoutes = [
  specRoute('post-sandbox-connections', (req, ctx, { clientId }) => {
    const body = readBody(req, createConnectionRequest);
    return finchJson(200, createSandboxConnection(ctx, clientId!, body).response);
  }),

  specRoute('post-sandbox-connections-accounts', (req, ctx, { clientId }) => {
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
        clientId: clientId!,
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

  specRoute('put-sandbox-connections-accounts', (req, ctx, { bearer }) => {
    const { connection } = bearer!;
    const body = readBody(req, updateAccountRequest);
    setConnectionStatus(ctx, connection, body.connection_status);
    return finchJson(200, accountFields(connection));
  }),

  specRoute('get-sandbox-jobs-configuration', (_req, _ctx, { bearer }) =>
    finchJson(200, [{ type: 'data_sync_all', completion_status: bearer!.connection.jobCompletionStatus }]),
  ),

  specRoute('put-sandbox-jobs-configuration', (_req, _ctx, { bearer, body }) => {
    const configuration = body as { type: 'data_sync_all'; completion_status: JobCompletionStatus };
    bearer!.connection.jobCompletionStatus = configuration.completion_status;
    return finchJson(200, configuration);
  }),
];
