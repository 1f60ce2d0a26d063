/**
 * Test plumbing for the Plaid mock: the official `plaid` SDK pointed at the mock (only `basePath` changes), a
 * webhook receiver, webhook verification as Plaid documents it (node:crypto), the hosted Link page driven with
 * plain form posts, and validators built from Plaid's OpenAPI schemas (fixtures/schemas/plaid).
 */
import { createHash, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import type { RunningMockServer } from '@reconnect-kit/mock-engine';
import {
  type MockWithReceiver,
  mockWithReceiver,
  type ReceivedWebhook,
} from '@reconnect-kit/mock-engine/testing';
import { Configuration, PlaidApi } from 'plaid';
import { afterAll, beforeAll } from 'vitest';
import { z } from 'zod';
import { PLAID_DEFAULT_CREDENTIALS } from './credentials.js';
import type { PlaidMockState } from './domain/state.js';
import { accountsGetResponseSchema } from './generated/accounts-get-response.js';
import { creditPayrollIncomeGetResponseSchema } from './generated/credit-payroll-income-get-response.js';
import { errorSchema } from './generated/error.js';
import { institutionsGetByIdResponseSchema } from './generated/institutions-get-by-id-response.js';
import { itemErrorWebhookSchema } from './generated/item-error-webhook.js';
import { itemGetResponseSchema } from './generated/item-get-response.js';
import { itemLoginRepairedWebhookSchema } from './generated/item-login-repaired-webhook.js';
import { itemPublicTokenExchangeResponseSchema } from './generated/item-public-token-exchange-response.js';
import { itemRemoveResponseSchema } from './generated/item-remove-response.js';
import { itemWebhookUpdateResponseSchema } from './generated/item-webhook-update-response.js';
import { linkTokenCreateResponseSchema } from './generated/link-token-create-response.js';
import { linkTokenGetResponseSchema } from './generated/link-token-get-response.js';
import { newAccountsAvailableWebhookSchema } from './generated/new-accounts-available-webhook.js';
import { pendingDisconnectWebhookSchema } from './generated/pending-disconnect-webhook.js';
import { pendingExpirationWebhookSchema } from './generated/pending-expiration-webhook.js';
import { sandboxItemFireWebhookResponseSchema } from './generated/sandbox-item-fire-webhook-response.js';
import { sandboxItemResetLoginResponseSchema } from './generated/sandbox-item-reset-login-response.js';
import { sandboxPublicTokenCreateResponseSchema } from './generated/sandbox-public-token-create-response.js';
import { userAccountRevokedWebhookSchema } from './generated/user-account-revoked-webhook.js';
import { userCreateResponseSchema } from './generated/user-create-response.js';
import { userPermissionRevokedWebhookSchema } from './generated/user-permission-revoked-webhook.js';
import { webhookUpdateAcknowledgedWebhookSchema } from './generated/webhook-update-acknowledged-webhook.js';
import { webhookVerificationKeyGetResponseSchema } from './generated/webhook-verification-key-get-response.js';
import { startPlaidMock } from './index.js';
import { SANDBOX_PASSWORD, SANDBOX_USERNAME } from './routes/hosted-link.js';

/** Plaid's OpenAPI schemas as validators, by the name of the response or webhook they describe. */
export const schemas = {
  accountsGet: z.fromJSONSchema(accountsGetResponseSchema),
  creditPayrollIncomeGet: z.fromJSONSchema(creditPayrollIncomeGetResponseSchema),
  error: z.fromJSONSchema(errorSchema),
  institutionsGetById: z.fromJSONSchema(institutionsGetByIdResponseSchema),
  itemGet: z.fromJSONSchema(itemGetResponseSchema),
  itemPublicTokenExchange: z.fromJSONSchema(itemPublicTokenExchangeResponseSchema),
  itemRemove: z.fromJSONSchema(itemRemoveResponseSchema),
  itemWebhookUpdate: z.fromJSONSchema(itemWebhookUpdateResponseSchema),
  linkTokenCreate: z.fromJSONSchema(linkTokenCreateResponseSchema),
  linkTokenGet: z.fromJSONSchema(linkTokenGetResponseSchema),
  sandboxItemFireWebhook: z.fromJSONSchema(sandboxItemFireWebhookResponseSchema),
  sandboxItemResetLogin: z.fromJSONSchema(sandboxItemResetLoginResponseSchema),
  sandboxPublicTokenCreate: z.fromJSONSchema(sandboxPublicTokenCreateResponseSchema),
  userCreate: z.fromJSONSchema(userCreateResponseSchema),
  webhookVerificationKeyGet: z.fromJSONSchema(webhookVerificationKeyGetResponseSchema),
};

/** The ITEM webhook schemas by `webhook_code`. */
export const webhookSchemas: Record<string, z.ZodType> = {
  ERROR: z.fromJSONSchema(itemErrorWebhookSchema),
  LOGIN_REPAIRED: z.fromJSONSchema(itemLoginRepairedWebhookSchema),
  PENDING_EXPIRATION: z.fromJSONSchema(pendingExpirationWebhookSchema),
  PENDING_DISCONNECT: z.fromJSONSchema(pendingDisconnectWebhookSchema),
  NEW_ACCOUNTS_AVAILABLE: z.fromJSONSchema(newAccountsAvailableWebhookSchema),
  USER_PERMISSION_REVOKED: z.fromJSONSchema(userPermissionRevokedWebhookSchema),
  USER_ACCOUNT_REVOKED: z.fromJSONSchema(userAccountRevokedWebhookSchema),
  WEBHOOK_UPDATE_ACKNOWLEDGED: z.fromJSONSchema(webhookUpdateAcknowledgedWebhookSchema),
};

/** Checks `data` against `schema` (failing with the schema's issues) and returns it with its SDK type. */
export function conforms<T>(schema: z.ZodType, data: T): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`does not match Plaid's schema: ${result.error.message}`);
  return data;
}

/** The official SDK against `basePath` — the only change from a production client. */
export function plaidClient(basePath: string, credentials = PLAID_DEFAULT_CREDENTIALS): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath,
      baseOptions: {
        headers: { 'PLAID-CLIENT-ID': credentials.client_id, 'PLAID-SECRET': credentials.secret },
      },
    }),
  );
}

/** What a rejected SDK call carried: the HTTP status and Plaid's error object. */
export async function plaidFailure(
  call: Promise<unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const error = (await call.then(
    () => {
      throw new Error('expected the Plaid call to fail');
    },
    (caught: unknown) => caught,
  )) as { response?: { status: number; data: unknown } };
  if (!error.response) throw error;
  return {
    status: error.response.status,
    body: conforms(schemas.error, error.response.data) as Record<string, unknown>,
  };
}

export class WebhookRejected extends Error {}

/**
 * Verifies a webhook the way Plaid's docs describe: decode the `Plaid-Verification` JWT header without trusting
 * it, require `alg: ES256`, fetch the key for its `kid` with `/webhook_verification_key/get`, verify the ES256
 * signature, require `iat` at most 5 minutes old, and compare `request_body_sha256` with the SHA-256 of the raw body.
 * Returns the parsed body.
 */
export async function verifyPlaidWebhook(
  client: PlaidApi,
  webhook: ReceivedWebhook,
  now: Date = new Date(),
): Promise<Record<string, unknown>> {
  const token = webhook.headers['plaid-verification'];
  if (typeof token !== 'string') throw new WebhookRejected('no Plaid-Verification header');
  const [headerPart, claimsPart, signaturePart] = token.split('.');
  if (!headerPart || !claimsPart || !signaturePart) throw new WebhookRejected('not a JWT');
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as {
    alg?: string;
    kid?: string;
  };
  if (header.alg !== 'ES256' || !header.kid) throw new WebhookRejected(`unexpected JWT header ${headerPart}`);
  const { data } = await client.webhookVerificationKeyGet({ key_id: header.kid });
  conforms(schemas.webhookVerificationKeyGet, data);
  if (data.key.expired_at !== null) throw new WebhookRejected(`key ${header.kid} has expired`);
  const key = createPublicKey({
    key: { kty: data.key.kty, crv: data.key.crv, x: data.key.x, y: data.key.y },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${headerPart}.${claimsPart}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) throw new WebhookRejected('bad signature');
  const claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as {
    iat: number;
    request_body_sha256: string;
  };
  if (now.getTime() / 1000 - claims.iat > 5 * 60)
    throw new WebhookRejected('the JWT is older than 5 minutes');
  const expected = Buffer.from(createHash('sha256').update(webhook.body).digest('hex'));
  const claimed = Buffer.from(claims.request_body_sha256);
  if (expected.length !== claimed.length || !timingSafeEqual(expected, claimed)) {
    throw new WebhookRejected('request_body_sha256 does not match the body');
  }
  const body = JSON.parse(webhook.body) as Record<string, unknown>;
  const schema = webhookSchemas[String(body.webhook_code)];
  if (!schema) throw new Error(`no schema for webhook ${String(body.webhook_code)}`);
  conforms(schema, body);
  return body;
}

export interface TestMock {
  server: RunningMockServer<PlaidMockState>;
  url: string;
  client: PlaidApi;
  admin(
    path: string,
    body?: unknown,
    method?: string,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Delivers every queued webhook now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestMock(options: { webhookUrl?: string } = {}): Promise<TestMock> {
  const server = await startPlaidMock({ port: 0, env: {}, ...options });
  const admin: TestMock['admin'] = async (path, body, method = 'POST') => {
    const response = await fetch(`${server.url}/__admin${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return {
    server,
    url: server.url,
    client: plaidClient(server.url),
    admin,
    async flush() {
      const { status } = await admin('/webhooks/flush?limit=0');
      if (status !== 200) throw new Error(`webhook flush answered ${status}`);
    },
    close: () => server.close(),
  };
}

/**
 * For a test file: a webhook receiver (at `/webhooks/plaid`) and a mock, started before the file's tests and closed
 * after them; the mock's default webhook is the receiver unless `defaultWebhook` is false. Read `mock` and `receiver`
 * inside tests and hooks.
 */
export function useMockWithReceiver({ defaultWebhook = true } = {}): MockWithReceiver<TestMock> {
  const env = mockWithReceiver(
    (receiver) => startTestMock(defaultWebhook ? { webhookUrl: receiver.url } : {}),
    { path: '/webhooks/plaid' },
  );
  beforeAll(env.start);
  afterAll(env.close);
  return env;
}

/** Opens a hosted Link URL and signs in with plain form posts; redirects are returned, not followed. */
export async function completeHostedLink(
  hostedLinkUrl: string,
  login: Record<string, string> = { username: SANDBOX_USERNAME, password: SANDBOX_PASSWORD },
): Promise<Response> {
  const page = await fetch(hostedLinkUrl);
  if (page.status !== 200) throw new Error(`hosted Link answered ${page.status}: ${await page.text()}`);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('the hosted Link page has no form');
  const institution = /<option value="([^"]+)"/.exec(html)?.[1];
  return fetch(new URL(action, hostedLinkUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...(institution ? { institution_id: institution } : {}),
      ...login,
    }).toString(),
    redirect: 'manual',
  });
}
