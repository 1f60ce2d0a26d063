/**
 * Test kit for the Argyle mock: a running mock (port 0) plus a webhook receiver that keeps the exact bytes, a
 * Basic-auth API client that validates EVERY response body against the fixture schemas (`z.fromJSONSchema`),
 * and helpers to drive the Link page with plain form posts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type ReceivedWebhook as EngineReceivedWebhook,
  startWebhookReceiver,
} from '@reconnect-kit/mock-engine/testing';
import { expect } from 'vitest';
import { z } from 'zod';
import { accountSchema } from './generated/account.js';
import { depositDestinationSchema } from './generated/deposit-destination.js';
import { employerSchema } from './generated/employer.js';
import { employmentSchema } from './generated/employment.js';
import { errorSchema } from './generated/error.js';
import { gigSchema } from './generated/gig.js';
import { identitySchema } from './generated/identity.js';
import { inviteSchema } from './generated/invite.js';
import { itemSchema } from './generated/item.js';
import { paginatedSchema } from './generated/paginated.js';
import { payrollDocumentSchema } from './generated/payroll-document.js';
import { paystubSchema } from './generated/paystub.js';
import { ratingSchema } from './generated/rating.js';
import { reportSchema } from './generated/report.js';
import { sessionSchema } from './generated/session.js';
import { shiftSchema } from './generated/shift.js';
import { userSchema } from './generated/user.js';
import { userFormSchema } from './generated/user-form.js';
import { userTokenSchema } from './generated/user-token.js';
import { userUploadSchema } from './generated/user-upload.js';
import { vehicleSchema } from './generated/vehicle.js';
import { verificationSchema } from './generated/verification.js';
import { webhookAccountsSchema } from './generated/webhook-accounts.js';
import { webhookDataSchema } from './generated/webhook-data.js';
import { webhookSubscriptionSchema } from './generated/webhook-subscription.js';
import { webhookUsersSchema } from './generated/webhook-users.js';
import { type ArgyleMockServer, DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from './index.js';

const schemas = {
  account: z.fromJSONSchema(accountSchema),
  error: z.fromJSONSchema(errorSchema),
  invite: z.fromJSONSchema(inviteSchema),
  page: z.fromJSONSchema(paginatedSchema),
  user: z.fromJSONSchema(userSchema),
  userToken: z.fromJSONSchema(userTokenSchema),
  webhookAccounts: z.fromJSONSchema(webhookAccountsSchema),
  subscription: z.fromJSONSchema(webhookSubscriptionSchema),
  paystub: z.fromJSONSchema(paystubSchema),
  employment: z.fromJSONSchema(employmentSchema),
  identity: z.fromJSONSchema(identitySchema),
  payrollDocument: z.fromJSONSchema(payrollDocumentSchema),
  depositDestination: z.fromJSONSchema(depositDestinationSchema),
  gig: z.fromJSONSchema(gigSchema),
  shift: z.fromJSONSchema(shiftSchema),
  vehicle: z.fromJSONSchema(vehicleSchema),
  rating: z.fromJSONSchema(ratingSchema),
  item: z.fromJSONSchema(itemSchema),
  employer: z.fromJSONSchema(employerSchema),
  report: z.fromJSONSchema(reportSchema),
  verification: z.fromJSONSchema(verificationSchema),
  session: z.fromJSONSchema(sessionSchema),
  webhookData: z.fromJSONSchema(webhookDataSchema),
  webhookUsers: z.fromJSONSchema(webhookUsersSchema),
  userForm: z.fromJSONSchema(userFormSchema),
  userUpload: z.fromJSONSchema(userUploadSchema),
  emptyObject: z.object({}).strict(),
} as const;

type SchemaName = keyof typeof schemas;
export const SCHEMA_NAMES = Object.keys(schemas) as SchemaName[];

/** Counts validations per schema so a test can prove that every kind of payload was checked. */
export const validated = new Map<string, number>();

export function validate(name: SchemaName, payload: unknown, where: string): void {
  const result = schemas[name].safeParse(payload);
  if (!result.success) {
    throw new Error(`${where}: payload does not match ${name}: ${z.prettifyError(result.error)}`);
  }
  validated.set(name, (validated.get(name) ?? 0) + 1);
}

function validatePage(body: unknown, item: SchemaName, where: string): void {
  validate('page', body, where);
  for (const result of (body as { results: unknown[] }).results) validate(item, result, where);
}

/** Data resources: path segment and item schema. */
const DATA_ROUTES: readonly [string, SchemaName][] = [
  ['identities', 'identity'],
  ['employments', 'employment'],
  ['paystubs', 'paystub'],
  ['payroll-documents', 'payrollDocument'],
  ['deposit-destinations', 'depositDestination'],
  ['gigs', 'gig'],
  ['shifts', 'shift'],
  ['vehicles', 'vehicle'],
  ['ratings', 'rating'],
];

/** The schema of the `resource` a data webhook carries, by data set. */
const RESOURCE_SCHEMAS: Readonly<Record<string, SchemaName>> = {
  paystubs: 'paystub',
  gigs: 'gig',
  shifts: 'shift',
  identities: 'identity',
};

/** Which schema describes a successful response of `METHOD /path`. */
function successSchema(method: string, path: string): SchemaName | { page: SchemaName } | 'none' {
  const routes: [string, RegExp, SchemaName | { page: SchemaName } | 'none'][] = [
    ['POST', /^\/v2\/users$/, 'userToken'],
    ['GET', /^\/v2\/users$/, { page: 'user' }],
    ['GET', /^\/v2\/users\/[^/]+$/, 'user'],
    ['POST', /^\/v2\/user-tokens$/, 'userToken'],
    ['GET', /^\/v2\/accounts$/, { page: 'account' }],
    ['GET', /^\/v2\/accounts\/[^/]+$/, 'account'],
    ['PATCH', /^\/v2\/users\/[^/]+$/, 'user'],
    ['POST', /^\/v2\/accounts\/[^/]+\/periodic-scan$/, 'emptyObject'],
    ['POST', /^\/v2\/accounts\/[^/]+\/disable-ongoing-refresh$/, 'account'],
    ...DATA_ROUTES.flatMap(([path, schema]): [string, RegExp, SchemaName | { page: SchemaName }][] => [
      ['GET', new RegExp(`^/v2/${path}$`), { page: schema }],
      ['GET', new RegExp(`^/v2/${path}/[^/]+$`), schema],
    ]),
    ['GET', /^\/v2\/user-forms$/, { page: 'userForm' }],
    ['GET', /^\/v2\/user-forms\/[^/]+$/, 'userForm'],
    ['GET', /^\/v2\/user-uploads$/, { page: 'userUpload' }],
    ['POST', /^\/v2\/user-uploads$/, 'userUpload'],
    ['GET', /^\/v2\/user-uploads\/[^/]+$/, 'userUpload'],
    ['GET', /^\/v2\/items$/, { page: 'item' }],
    ['GET', /^\/v2\/items\/[^/]+$/, 'item'],
    ['GET', /^\/v2\/employer-search$/, { page: 'employer' }],
    ['GET', /^\/v2\/reports$/, { page: 'report' }],
    ['POST', /^\/v2\/reports\/[^/]+$/, 'report'],
    ['GET', /^\/v2\/reports\/[^/]+$/, 'report'],
    ['POST', /^\/v2\/verifications(\/refresh)?$/, 'verification'],
    ['GET', /^\/v2\/verifications$/, { page: 'verification' }],
    ['GET', /^\/v2\/verifications\/[^/]+$/, 'verification'],
    ['PATCH', /^\/v2\/verifications\/[^/]+$/, 'verification'],
    ['POST', /^\/v2\/sessions$/, 'session'],
    ['GET', /^\/v2\/invites$/, { page: 'invite' }],
    ['POST', /^\/v2\/invites(\/[^/]+(\/revoke)?)?$/, 'invite'],
    ['GET', /^\/v2\/invites\/[^/]+$/, 'invite'],
    ['GET', /^\/v2\/webhooks$/, { page: 'subscription' }],
    ['POST', /^\/v2\/webhooks$/, 'subscription'],
    ['GET', /^\/v2\/webhooks\/[^/]+$/, 'subscription'],
  ];
  for (const [routeMethod, pattern, schema] of routes) {
    if (routeMethod === method && pattern.test(path)) return schema;
  }
  return 'none';
}

/** Checks an API answer's headers and validates its body; returns the parsed body (undefined for 204). */
export function checkApiResponse(
  method: string,
  url: URL,
  status: number,
  headers: Headers,
  text: string,
): unknown {
  const where = `${method} ${url.pathname} → ${status}`;
  if (status === 204) {
    expect(text, where).toBe('');
    return undefined;
  }
  if (status === 302) {
    expect(headers.get('location'), where).toMatch(/^http/);
    return undefined;
  }
  if (headers.get('content-type') === 'application/pdf') {
    expect(text.startsWith('%PDF-1.4'), where).toBe(true);
    return text;
  }
  expect(headers.get('content-type'), where).toMatch(/^application\/json/);
  const body: unknown = JSON.parse(text);
  if (status >= 400) {
    validate('error', body, where);
    return body;
  }
  expect(headers.get('cache-control'), where).toBe('no-cache, no-store');
  const schema = successSchema(method, url.pathname);
  if (schema === 'none') throw new Error(`${where}: no schema mapped for this route`);
  if (typeof schema === 'object') validatePage(body, schema.page, where);
  else validate(schema, body, where);
  return body;
}

export interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: { event: string; name: string; data: Record<string, unknown> };
}

/** A received webhook as Argyle sends it; throws when the payload does not match the fixture schemas. */
function argyleWebhook({ path, headers, bytes, body }: EngineReceivedWebhook): ReceivedWebhook {
  const json = JSON.parse(body) as ReceivedWebhook['json'];
  const where = `webhook ${json.event} to ${path}`;
  const [set] = json.event.split('.');
  validate(
    set === 'accounts' ? 'webhookAccounts' : set === 'users' ? 'webhookUsers' : 'webhookData',
    json,
    where,
  );
  const resourceSchema = RESOURCE_SCHEMAS[set ?? ''];
  if (resourceSchema && json.data.resource !== undefined) validate(resourceSchema, json.data.resource, where);
  return { path, headers, raw: bytes, json };
}

export interface ArgyleHarness {
  mock: ArgyleMockServer;
  receiverUrl: string;
  api<T = unknown>(method: string, path: string, body?: unknown, init?: RequestInit): Promise<ApiResult<T>>;
  /** Waits until the mock has delivered everything queued. */
  flush(): Promise<void>;
  /** Received webhooks since the last call (after a flush, each checked against the schemas), optionally for one path. */
  takeWebhooks(path?: string): Promise<ReceivedWebhook[]>;
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResult<T>>;
  /** Delivers what is queued, then resets the mock (state, clock, webhook log) and forgets received webhooks. */
  reset(): Promise<void>;
  scenario<T = Record<string, unknown>>(id: string, input?: unknown): Promise<T>;
  link(path: string, form?: Record<string, string>): Promise<{ status: number; html: string }>;
  close(): Promise<void>;
}

/** What the first sync of a one-employment account sends after `accounts.connected` + `accounts.updated`. */
export const FIRST_SYNC_EVENTS = [
  'identities.added',
  'paystubs.partially_synced',
  'gigs.partially_synced',
  'shifts.partially_synced',
  'accounts.updated',
  'paystubs.fully_synced',
  'gigs.fully_synced',
  'shifts.fully_synced',
  'accounts.updated',
  'users.fully_synced',
] as const;

export const BASIC_AUTH = `Basic ${Buffer.from(
  `${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`,
).toString('base64')}`;

/** Starts the mock (default webhook target = the receiver at `/default`) and a receiver. */
export async function startHarness(): Promise<ArgyleHarness> {
  const receiver = await startWebhookReceiver({ path: '' });
  const mock = await startArgyleMock({
    port: 0,
    env: {},
    webhookUrl: `${receiver.url}/default`,
    webhookSecret: 'default-target-secret',
  });
  let seen = 0;
  const harness: ArgyleHarness = {
    mock,
    receiverUrl: receiver.url,
    async api<T>(method: string, path: string, body?: unknown, init: RequestInit = {}) {
      const url = new URL(path, mock.url);
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', BASIC_AUTH);
      if (body !== undefined) headers.set('content-type', 'application/json');
      const response = await fetch(url, {
        ...init,
        method,
        headers,
        body: body === undefined ? init.body : JSON.stringify(body),
      });
      const text = await response.text();
      const parsed = checkApiResponse(method, url, response.status, response.headers, text);
      return { status: response.status, headers: response.headers, body: parsed as T };
    },
    async flush() {
      const response = await fetch(`${mock.url}/__admin/webhooks/flush?limit=0`, { method: 'POST' });
      const { drained } = (await response.json()) as { drained: boolean };
      expect(drained).toBe(true);
    },
    async takeWebhooks(path) {
      await harness.flush();
      const fresh = receiver.received.slice(seen);
      seen = receiver.received.length;
      const webhooks = fresh.map(argyleWebhook);
      return path === undefined ? webhooks : webhooks.filter((webhook) => webhook.path === path);
    },
    async admin<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${mock.url}/__admin${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as T };
    },
    async reset() {
      // Flush first, so no delivery of the previous test is in flight or lands in the next one.
      await harness.takeWebhooks();
      expect((await harness.admin('POST', '/reset')).status).toBe(200);
    },
    async scenario<T>(id: string, input: unknown = {}) {
      const result = await harness.admin<{ changed: T }>('POST', `/scenarios/${id}`, input);
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      return result.body.changed;
    },
    async link(path: string, form?: Record<string, string>) {
      const response = await fetch(new URL(path, mock.url), {
        method: form ? 'POST' : 'GET',
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
        body: form ? new URLSearchParams(form).toString() : undefined,
        redirect: 'manual',
      });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      return { status: response.status, html: await response.text() };
    },
    async close() {
      await mock.close();
      await receiver.close();
    },
  };
  return harness;
}

/** The value of a hidden (or any) input named `name` in a Link page. */
export function inputValue(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no input "${name}" in:\n${html}`);
  return match[1]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"');
}

/** Text content of the element with `id`, e.g. `account-id` on the success screen. */
export function elementText(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

/** Creates a user through the API and returns its id and a user token. */
export async function createUser(harness: ArgyleHarness): Promise<{ id: string; userToken: string }> {
  const { body } = await harness.api<{ id: string; user_token: string }>('POST', '/v2/users', {});
  return { id: body.id, userToken: body.user_token };
}

/** Logs in through Link (username/password, then MFA) and returns the success page. */
export async function connectThroughLink(
  harness: ArgyleHarness,
  userToken: string,
  options: { username?: string; password?: string; mfa?: string; item?: string; accountId?: string } = {},
): Promise<{ status: number; html: string }> {
  const username = options.username ?? 'test_1';
  const login = await harness.link('/link/login', {
    user_token: userToken,
    item: options.item ?? 'item_000029932',
    username,
    password: options.password ?? 'passgood',
    ...(options.accountId ? { account_id: options.accountId } : {}),
  });
  if (!login.html.includes('name="challenge"')) return login;
  const codes: Record<string, string> = { test_1: '8081', test_2: '8082', test_3: '8083' };
  return harness.link('/link/mfa', {
    user_token: userToken,
    challenge: inputValue(login.html, 'challenge'),
    code: options.mfa ?? codes[username] ?? '0000',
  });
}
