/**
 * The Django REST Framework flavour of Argyle's API: HTTP Basic auth with the API key id/secret, `{"detail": …}`
 * and `{"field": ["msg"]}` error bodies, and the response headers seen in recorded sandbox traffic.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import {
  type HttpMethod,
  type MockContext,
  MockHttpError,
  type MockRequest,
  type MockResponse,
  type RouteDefinition,
} from '@reconnect-kit/mock-engine';
import type { ArgyleState } from '../domain/state.js';
import { MOCK_CLIENT_ID } from '../domain/users.js';

const ARGYLE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-cache, no-store',
  'x-client-id': MOCK_CLIENT_ID,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  vary: 'Accept-Encoding,Origin',
  'access-control-allow-origin': '*',
};

export type ArgyleContext = MockContext<ArgyleState>;
type Handler = (req: MockRequest, ctx: ArgyleContext) => MockResponse | Promise<MockResponse>;

export function notFound(): MockHttpError {
  return new MockHttpError(404, { detail: 'Not found.' });
}

/** A DRF validation error: `{"field": ["message"]}` with status 400. */
export function invalidField(field: string, message: string): MockHttpError {
  return new MockHttpError(400, { [field]: [message] });
}

export function jsonResponse(status: number, body: unknown): MockResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}

function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** The digest of the `id:secret` pair a mock accepts, computed once per credentials object and value. */
interface ExpectedCredentials {
  readonly keyId: string;
  readonly keySecret: string;
  /** null when the id holds a colon: Basic auth splits at the first colon, so no request can carry that id. */
  readonly pairDigest: Buffer | null;
}

const expectedByConfig = new WeakMap<object, ExpectedCredentials>();
/** Compared against when no pair can match, so that answer takes the same time too. */
const NO_PAIR = Buffer.alloc(32);

function expectedCredentials(credentials: Readonly<Record<string, string>>): ExpectedCredentials {
  const { api_key_id: keyId = '', api_key_secret: keySecret = '' } = credentials;
  const cached = expectedByConfig.get(credentials);
  // Comparing the configured values with themselves leaks nothing; it catches a credentials object changed in place.
  if (cached && cached.keyId === keyId && cached.keySecret === keySecret) return cached;
  const pairDigest = keyId.includes(':') ? null : sha256(`${keyId}:${keySecret}`);
  const expected = { keyId, keySecret, pairDigest };
  expectedByConfig.set(credentials, expected);
  return expected;
}

function authenticate(req: MockRequest, ctx: ArgyleContext): void {
  const header = req.headers.get('authorization');
  if (header === null || !/^basic\s/i.test(header)) {
    // DRF answers a request without credentials differently from one with wrong credentials.
    throw new MockHttpError(
      401,
      { detail: 'Authentication credentials were not provided.' },
      { 'www-authenticate': 'Basic realm="api"' },
    );
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  // `id` alone means an empty secret. The id cannot hold a colon, so `id:secret` matches exactly when both do; one
  // digest of equal length, compared in constant time, leaks neither which part is wrong nor any length.
  const received = sha256(decoded.includes(':') ? decoded : `${decoded}:`);
  const { pairDigest } = expectedCredentials(ctx.config.credentials);
  const matches = timingSafeEqual(received, pairDigest ?? NO_PAIR);
  if (!matches || pairDigest === null) {
    throw new MockHttpError(
      401,
      { detail: 'Invalid username/password.' },
      { 'www-authenticate': 'Basic realm="api"' },
    );
  }
}

function withHeaders(response: MockResponse, allow: string): MockResponse {
  return { ...response, headers: { ...ARGYLE_HEADERS, allow, ...response.headers } };
}

/**
 * Declares the API routes of one resource path: each handler runs behind Basic auth, and every answer (errors
 * included) carries Argyle's headers plus DRF's `Allow` header listing the path's methods.
 */
export function apiResource(
  path: string,
  handlers: Partial<Record<HttpMethod, Handler>>,
): RouteDefinition<ArgyleState>[] {
  const methods = Object.keys(handlers) as HttpMethod[];
  // DRF lists HEAD wherever GET is allowed, and OPTIONS everywhere.
  const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  return methods.map((method) => ({
    method,
    path,
    async handler(req, ctx) {
      try {
        authenticate(req, ctx);
        return withHeaders(await handlers[method]!(req, ctx), allow);
      } catch (error) {
        if (!(error instanceof MockHttpError)) throw error;
        throw new MockHttpError(error.status, error.body, {
          ...ARGYLE_HEADERS,
          'content-type': 'application/json',
          allow,
          ...error.headers,
        });
      }
    },
  }));
}

/** The Python type name DRF puts in its "Expected a dictionary" message. */
function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int' : 'float';
}

/** Reads a JSON object body; DRF answers a non-object body with a `non_field_errors` 400. */
export function readObjectBody(req: MockRequest): Record<string, unknown> {
  if (req.rawBody.byteLength === 0) return {};
  const body = req.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField(
      'non_field_errors',
      `Invalid data. Expected a dictionary, but got ${pythonTypeName(body)}.`,
    );
  }
  return body as Record<string, unknown>;
}
