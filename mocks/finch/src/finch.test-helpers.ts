/**
 * Shared test plumbing: a running mock, official SDK clients, a webhook receiver, a Connect page driver that
 * speaks plain form posts, and a fetch that validates every JSON body the mock sends against the fixture schemas.
 */
import type { RunningMockServer } from '@reconnect-kit/mock-engine';
import { type MockWithReceiver, mockWithReceiver } from '@reconnect-kit/mock-engine/testing';
import Finch from '@tryfinch/finch-api';
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { FINCH_DEFAULT_CREDENTIALS } from './credentials.js';
import type { FinchState } from './domain/state.js';
import { automatedJobSchema } from './generated/automated-job.js';
import { automatedJobCreatedSchema } from './generated/automated-job-created.js';
import { automatedJobListSchema } from './generated/automated-job-list.js';
import { companySchema } from './generated/company.js';
import { connectSessionSchema } from './generated/connect-session.js';
import { createAccessTokenSchema } from './generated/create-access-token.js';
import { directorySchema } from './generated/directory.js';
import { disconnectSchema } from './generated/disconnect.js';
import { employmentSchema } from './generated/employment.js';
import { errorSchema } from './generated/error.js';
import { individualSchema } from './generated/individual.js';
import { introspectSchema } from './generated/introspect.js';
import { manualJobSchema } from './generated/manual-job.js';
import { payStatementSchema } from './generated/pay-statement.js';
import { paymentSchema } from './generated/payment.js';
import { sandboxConnectionSchema } from './generated/sandbox-connection.js';
import { sandboxConnectionAccountSchema } from './generated/sandbox-connection-account.js';
import { sandboxJobConfigurationSchema } from './generated/sandbox-job-configuration.js';
import { webhookEventSchema } from './generated/webhook-event.js';
import { startFinchMock } from './server.js';

export const credentials = FINCH_DEFAULT_CREDENTIALS;

export const validators = {
  automatedJob: z.fromJSONSchema(automatedJobSchema),
  automatedJobCreated: z.fromJSONSchema(automatedJobCreatedSchema),
  automatedJobList: z.fromJSONSchema(automatedJobListSchema),
  company: z.fromJSONSchema(companySchema),
  connectSession: z.fromJSONSchema(connectSessionSchema),
  createAccessToken: z.fromJSONSchema(createAccessTokenSchema),
  directory: z.fromJSONSchema(directorySchema),
  disconnect: z.fromJSONSchema(disconnectSchema),
  employment: z.fromJSONSchema(employmentSchema),
  error: z.fromJSONSchema(errorSchema),
  individual: z.fromJSONSchema(individualSchema),
  introspect: z.fromJSONSchema(introspectSchema),
  manualJob: z.fromJSONSchema(manualJobSchema),
  payStatement: z.fromJSONSchema(payStatementSchema),
  payment: z.fromJSONSchema(paymentSchema),
  sandboxConnection: z.fromJSONSchema(sandboxConnectionSchema),
  sandboxConnectionAccount: z.fromJSONSchema(sandboxConnectionAccountSchema),
  sandboxJobConfiguration: z.fromJSONSchema(sandboxJobConfigurationSchema),
  webhookEvent: z.fromJSONSchema(webhookEventSchema),
};
export type ValidatorName = keyof typeof validators;

/** Which schema a successful response of each route must match. */
const SUCCESS_SCHEMAS: Record<string, ValidatorName> = {
  'POST /auth/token': 'createAccessToken',
  'GET /introspect': 'introspect',
  'POST /disconnect': 'disconnect',
  'POST /connect/sessions': 'connectSession',
  'POST /connect/sessions/reauthenticate': 'connectSession',
  'POST /sandbox/connections': 'sandboxConnection',
  'POST /sandbox/connections/accounts': 'sandboxConnectionAccount',
  'PUT /sandbox/connections/accounts': 'sandboxConnectionAccount',
  'GET /employer/company': 'company',
  'GET /employer/directory': 'directory',
  'POST /employer/individual': 'individual',
  'POST /employer/employment': 'employment',
  'GET /employer/payment': 'payment',
  'POST /employer/pay-statement': 'payStatement',
  'POST /jobs/automated': 'automatedJobCreated',
  'GET /jobs/automated': 'automatedJobList',
  'GET /jobs/automated/:id': 'automatedJob',
  'GET /jobs/manual/:id': 'manualJob',
  'POST /sandbox/jobs': 'automatedJobCreated',
  'PUT /sandbox/jobs/configuration': 'sandboxJobConfiguration',
};

/**
 * Answers whose body is not the error shape although the status is 202 or 4xx (Finch's spec says so): the job
 * quota on 202/429 of `POST /jobs/automated`, the per-entity errors of `POST /disconnect-entity`.
 */
const NON_ERROR_BODIES: Record<string, ValidatorName | null> = {
  'POST /jobs/automated 202': 'automatedJobCreated',
  'POST /jobs/automated 429': 'automatedJobCreated',
  'POST /disconnect-entity 400': null,
};

/** `/jobs/automated/0190…` → `/jobs/automated/:id`: job routes carry an id. */
function routeKey(method: string, pathname: string): string {
  return `${method.toUpperCase()} ${pathname.replace(/^\/jobs\/(automated|manual)\/[^/]+$/, '/jobs/$1/:id')}`;
}

export interface CheckedPayload {
  route: string;
  status: number;
  schema: ValidatorName | null;
}

/** Every JSON body seen, with the schema it was checked against; `violations` lists the ones that failed. */
export class PayloadLog {
  readonly checked: CheckedPayload[] = [];
  readonly violations: string[] = [];

  /** Returns the violations seen so far and forgets them (call it after each test). */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }

  check(method: string, url: string, status: number, body: unknown): void {
    const route = routeKey(method, new URL(url).pathname);
    const special = `${route} ${status}`;
    const schema: ValidatorName | null =
      special in NON_ERROR_BODIES
        ? (NON_ERROR_BODIES[special] ?? null)
        : status >= 400 || status === 202
          ? 'error'
          : (SUCCESS_SCHEMAS[route] ?? null);
    this.checked.push({ route, status, schema });
    if (!schema) return;
    const result = validators[schema].safeParse(body);
    if (!result.success) this.violations.push(`${route} ${status} vs ${schema}: ${result.error.message}`);
  }

  /** A fetch that records and validates every JSON response before handing it on unchanged. */
  readonly fetch = checkingFetch((...response) => this.check(...response));
}

/** A fetch that hands every JSON response to `check` before returning it unchanged. */
export function checkingFetch(
  check: (method: string, url: string, status: number, body: unknown) => void,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    if (response.headers.get('content-type')?.includes('application/json')) {
      check(request.method, request.url, response.status, await response.clone().json());
    }
    return response;
  };
}

/** Every product Finch offers; a sandbox connection with all of them reaches every data route. */
export { ALL_PRODUCTS } from './domain/providers.js';

/**
 * For a test file: a webhook receiver and a mock delivering to it, started before the file's tests and closed
 * after them. Read `mock` and `receiver` inside tests and hooks (they exist once `beforeAll` ran).
 */
export function useMockWithReceiver(): MockWithReceiver<TestMock> {
  const env = mockWithReceiver((receiver) => startTestMock({ webhookUrl: receiver.url }), {
    path: '/webhooks/finch',
  });
  beforeAll(env.start);
  afterAll(env.close);
  return env;
}

/** The error an SDK call rejects with (its HTTP status and parsed body); fails the test if the call succeeds. */
export async function sdkFailure(
  promise: Promise<unknown>,
): Promise<{ status: number; error: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; error: Record<string, unknown> };
  }
  throw new Error('expected the SDK call to fail');
}

export interface TestMock {
  server: RunningMockServer<FinchState>;
  url: string;
  payloads: PayloadLog;
  /** SDK client with the application credentials (Basic-auth endpoints, token exchange). */
  app: Finch;
  /** SDK client for one connection's access token. */
  forToken(accessToken: string): Finch;
  /** POST /__admin/... with a JSON body; returns the parsed JSON. */
  admin(path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startTestMock(options: { webhookUrl?: string } = {}): Promise<TestMock> {
  const server = await startFinchMock({ port: 0, env: {}, ...options });
  const payloads = new PayloadLog();
  const sdkOptions = {
    baseURL: server.url,
    maxRetries: 0,
    fetch: payloads.fetch,
    webhookSecret: credentials.webhook_secret,
  };
  return {
    server,
    url: server.url,
    payloads,
    app: new Finch({
      ...sdkOptions,
      clientID: credentials.client_id,
      clientSecret: credentials.client_secret,
    }),
    forToken: (accessToken) => new Finch({ ...sdkOptions, accessToken }),
    async admin(path, body) {
      const response = await fetch(`${server.url}/__admin${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    },
    close: () => server.close(),
  };
}

function decodeEntities(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

/** The hidden inputs of the first form on a Connect page. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[decodeEntities(match[1]!)] = decodeEntities(match[2]!);
  }
  return fields;
}

/** Posts the Connect page form like a browser would; redirects are returned, not followed. */
export function postConnectForm(baseUrl: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${baseUrl}/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Opens a Connect URL, signs in with the sandbox credentials and returns the final response (302 or page). */
export async function completeConnect(
  baseUrl: string,
  connectUrl: string,
  login: Record<string, string> = { username: 'good_user', password: 'good_pass' },
): Promise<Response> {
  const page = await fetch(connectUrl);
  if (page.status !== 200) throw new Error(`Connect page answered ${page.status}: ${await page.text()}`);
  return postConnectForm(baseUrl, { ...hiddenFields(await page.text()), ...login });
}

/** The `code` and `state` of a Connect redirect. */
export function redirectParams(response: Response): URL {
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new Error(`expected a 302 redirect, got ${response.status}`);
  return new URL(location);
}
