import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import type { RunningMockServer } from '@reconnect-kit/mock-engine';
import { FINCH_API_VERSION, startFinchMock } from '@reconnect-kit/mock-finch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Finding 6 over real HTTP against both mocks as `pnpm mock` starts them: oversized bodies are 413 naming the limit
 * (admin and vendor routes, never read as `{}`), a 50,000-deep body cannot break `GET /__admin/requests`, and invalid
 * UTF-8 is refused with a 400 that says so, in each vendor's own error shape.
 */

const LIMIT = 1024 * 1024;
const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]);
const argyleAuth = `Basic ${Buffer.from(
  `${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`,
).toString('base64')}`;

interface VendorCase {
  name: string;
  start: () => Promise<RunningMockServer<unknown>>;
  /** A JSON vendor route that needs no prior state. */
  route: { path: string; headers: Record<string, string> };
  tooLarge: unknown;
  notUtf8: unknown;
}

const cases: VendorCase[] = [
  {
    name: 'argyle',
    start: () => startArgyleMock({ port: 0, env: {} }) as Promise<RunningMockServer<unknown>>,
    route: { path: '/v2/users', headers: { authorization: argyleAuth } },
    tooLarge: { detail: `request body exceeds the limit of ${LIMIT} bytes` },
    notUtf8: { detail: 'JSON parse error - request body is not valid UTF-8' },
  },
  {
    name: 'finch',
    start: () => startFinchMock({ port: 0, env: {} }) as Promise<RunningMockServer<unknown>>,
    route: { path: '/connect/sessions', headers: { 'finch-api-version': FINCH_API_VERSION } },
    tooLarge: {
      code: 413,
      name: 'payload_too_large',
      message: `request body exceeds the limit of ${LIMIT} bytes`,
    },
    notUtf8: {
      code: 400,
      name: 'bad_request',
      finch_code: 'invalid_request',
      message: 'request body is not valid UTF-8',
    },
  },
];

describe.each(cases)('$name mock against hostile bodies', ({ start, route, tooLarge, notUtf8 }) => {
  let mock: RunningMockServer<unknown>;
  beforeAll(async () => {
    mock = await start();
  });
  afterAll(() => mock.close());

  const admin = async (method: string, path: string, body?: BodyInit) => {
    const response = await fetch(`${mock.url}/__admin${path}`, {
      method,
      ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('a 2 MB POST /__admin/reset with an invalid key → 413 naming the limit; the mock is not wiped', async () => {
    expect((await admin('POST', '/clock', JSON.stringify({ advance_ms: 60_000 }))).status).toBe(200);
    const before = await admin('GET', '/clock');
    const reset = await admin('POST', '/reset', JSON.stringify({ wipe: 'x'.repeat(2 * LIMIT) }));
    expect(reset).toEqual({
      status: 413,
      body: {
        error: 'payload_too_large',
        message: `request body exceeds the limit of ${LIMIT} bytes`,
        limit_bytes: LIMIT,
      },
    });
    expect((await admin('GET', '/clock')).body.offset_ms).toBe(before.body.offset_ms);
    // Sanity: the same key in a small body is refused as an unknown field, not taken as `{}` either.
    expect((await admin('POST', '/reset', JSON.stringify({ wipe: 'x' }))).status).toBe(400);
  });

  it('an oversized vendor body → 413 in the vendor error shape, naming the limit', async () => {
    const response = await fetch(`${mock.url}${route.path}`, {
      method: 'POST',
      headers: { ...route.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(LIMIT) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(tooLarge);
  });

  it('one 50,000-deep vendor body does not break GET /__admin/requests', async () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const response = await fetch(`${mock.url}${route.path}`, {
      method: 'POST',
      headers: { ...route.headers, 'content-type': 'application/json' },
      body: deep,
    });
    await response.arrayBuffer();
    const listed = await admin('GET', `/requests?path=${route.path}`);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('[nested deeper than 64 levels: not shown]');
  });

  it('invalid UTF-8 → 400 naming the problem (vendor shape), and on the admin API', async () => {
    const response = await fetch(`${mock.url}${route.path}`, {
      method: 'POST',
      headers: { ...route.headers, 'content-type': 'application/json' },
      body: INVALID_UTF8,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(notUtf8);
    expect(await admin('POST', '/clock', INVALID_UTF8)).toEqual({
      status: 400,
      body: { error: 'invalid_json', message: 'request body is not valid UTF-8' },
    });
  });
});
