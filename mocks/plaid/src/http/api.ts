/**
 * What every Plaid API call shares: a JSON body, the API keys (in the body or the `PLAID-CLIENT-ID` /
 * `PLAID-SECRET` headers the official SDKs send) and Plaid's validation errors.
 */
import type { MockContext, MockRequest, MockResponse } from '@reconnect-kit/mock-engine';
import { json, secretsEqual } from '@reconnect-kit/mock-engine';
import type { z } from 'zod';
import { newRequestId } from '../domain/ids.js';
import type { PlaidMockState } from '../domain/state.js';
import { plaidError } from './plaid-errors.js';

export type Ctx = MockContext<PlaidMockState>;

function checkApiKeys(body: Record<string, unknown>, req: MockRequest, ctx: Ctx): void {
  const clientId = stringField(body.client_id) ?? req.headers.get('plaid-client-id');
  const secret = stringField(body.secret) ?? req.headers.get('plaid-secret');
  const missing = [clientId ? undefined : 'client_id', secret ? undefined : 'secret'].filter(Boolean);
  if (missing.length > 0) {
    throw plaidError('MISSING_FIELDS', `the following required fields are missing: ${missing.join(', ')}`);
  }
  const expected = ctx.config.credentials;
  // Both comparisons always run, in constant time: timing reveals neither which key nor how much of it was wrong.
  const idOk = secretsEqual(clientId ?? '', expected.client_id ?? '');
  const secretOk = secretsEqual(secret ?? '', expected.secret ?? '');
  if (!idOk || !secretOk) throw plaidError('INVALID_API_KEYS');
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readObject(req: MockRequest): Record<string, unknown> {
  const body: unknown = req.json();
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw plaidError('INVALID_BODY', 'body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** Parses an authenticated API call's body with `schema`, answering Plaid's MISSING_FIELDS / INVALID_FIELD. */
export function apiBody<T>(req: MockRequest, ctx: Ctx, schema: z.ZodType<T>): T {
  const body = readObject(req);
  checkApiKeys(body, req, ctx);
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const missing = parsed.error.issues.filter(
    (issue) => issue.code === 'invalid_type' && readPath(body, issue.path) === undefined,
  );
  if (missing.length > 0) {
    const fields = missing.map((issue) => issue.path.join('.'));
    throw plaidError('MISSING_FIELDS', `the following required fields are missing: ${fields.join(', ')}`);
  }
  const [first] = parsed.error.issues;
  throw plaidError(
    'INVALID_FIELD',
    `${first?.path.join('.') || 'body'}: ${first?.message ?? 'invalid value'}`,
  );
}

function readPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** A 200 with Plaid's `request_id` added. */
export function ok(body: Record<string, unknown>): MockResponse {
  return json(200, { ...body, request_id: newRequestId() });
}
