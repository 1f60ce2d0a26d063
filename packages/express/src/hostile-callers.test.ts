import { request as httpRequest } from 'node:http';
import { ReconnectKitError } from '@reconnect-kit/core';
import express from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReconnectRouter, createWebhookRouter } from './express.js';
import {
  connection,
  expectNoSecrets,
  FakeReconnectionService,
  recordingLogger,
} from './fake-service.test-helpers.js';
import { createReconnectHandlers, createWebhookHandler, type FetchReconnectOptions } from './fetch.js';
import { listen } from './http.test-helpers.js';

/** Issue 12, findings 2, 4 and 5 at the routers: each test fails without the guard it names. */

async function readJson(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  expectNoSecrets(text);
  return JSON.parse(text) as Record<string, unknown>;
}

const baseOptions = {
  returnUrl: 'https://host.test/settings',
  authorize: (request: Request, c: { hostUserId: string }) => request.headers.get('x-user') === c.hostUserId,
} satisfies FetchReconnectOptions;

function start(headers: Record<string, string> = {}, query = '') {
  return new Request(`https://host.test/reconnect/conn-1/start${query}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'x-user': 'user-1', ...headers },
  });
}

describe('construction', () => {
  it('createReconnectRouter and createReconnectHandlers without authorize throw config_invalid', () => {
    const service = new FakeReconnectionService();
    const withoutAuthorize = { returnUrl: '/settings' } as unknown as FetchReconnectOptions;
    for (const build of [
      () => createReconnectRouter(service, withoutAuthorize as never),
      () => createReconnectHandlers(service, withoutAuthorize),
    ]) {
      expect(build).toThrow(
        expect.objectContaining({ code: 'config_invalid', message: expect.stringMatching(/authorize/) }),
      );
    }
  });

  it('rejects a trusted origin that is not an origin', () => {
    const service = new FakeReconnectionService();
    expect(() =>
      createReconnectHandlers(service, { ...baseOptions, trustedOrigins: ['https://app.test/path'] }),
    ).toThrow(
      expect.objectContaining({ code: 'config_invalid', message: expect.stringMatching(/app\.test\/path/) }),
    );
  });
});

describe('cross-site start requests are refused by default (finding 4)', () => {
  let service: FakeReconnectionService;
  beforeEach(() => {
    service = new FakeReconnectionService();
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['an Origin of another host, no Sec-Fetch-Site', { origin: 'https://evil.test' }],
    ['Origin: null (sandboxed frame, data: URL)', { origin: 'null' }],
  ])('%s → 403 cross_site_request, nothing started', async (_, headers) => {
    const response = await createReconnectHandlers(service, baseOptions).start(start(headers), {
      connectionId: 'conn-1',
    });
    expect(response.status).toBe(403);
    expect(await readJson(response)).toMatchObject({ error: { code: 'cross_site_request' } });
    expect(service.startCalls).toHaveLength(0);
  });

  it('a cross-site HTML form post is sent back to the return page with the error, nothing started', async () => {
    const response = await createReconnectHandlers(service, baseOptions).start(
      start({ accept: 'text/html', 'sec-fetch-site': 'cross-site', origin: 'https://evil.test' }),
      { connectionId: 'conn-1' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      'https://host.test/settings?connection=conn-1&error=cross_site_request',
    );
    expect(service.startCalls).toHaveLength(0);
  });

  it.each([
    ['Sec-Fetch-Site: same-origin', { 'sec-fetch-site': 'same-origin', origin: 'https://host.test' }],
    ['Sec-Fetch-Site: none (typed or bookmarked)', { 'sec-fetch-site': 'none' }],
    ['the same host in Origin, no Sec-Fetch-Site (older browsers)', { origin: 'https://host.test' }],
    ['neither header (server-to-server, native apps, curl)', {}],
  ])('%s → started', async (_, headers) => {
    const response = await createReconnectHandlers(service, baseOptions).start(start(headers), {
      connectionId: 'conn-1',
    });
    expect(response.status).toBe(200);
    expect(service.startCalls).toHaveLength(1);
  });

  it('trustedOrigins lets a listed front-end origin start (and only that one)', async () => {
    const { start: handler } = createReconnectHandlers(service, {
      ...baseOptions,
      trustedOrigins: ['https://app.test'],
    });
    const trusted = await handler(start({ 'sec-fetch-site': 'same-site', origin: 'https://app.test' }), {
      connectionId: 'conn-1',
    });
    expect(trusted.status).toBe(200);
    const other = await handler(start({ 'sec-fetch-site': 'cross-site', origin: 'https://app.test.evil' }), {
      connectionId: 'conn-1',
    });
    expect(other.status).toBe(403);
    expect(service.startCalls).toHaveLength(1);
  });

  it('express: compares Origin with the Host header the browser sent', async () => {
    const app = express();
    app.use((req, _res, next) => {
      (req as express.Request & { userId?: string }).userId = req.header('x-user');
      next();
    });
    app.use(
      createReconnectRouter(service, {
        returnUrl: '/settings',
        authorize: (req, c) => (req as express.Request & { userId?: string }).userId === c.hostUserId,
      }),
    );
    const server = await listen(app);
    try {
      const post = (origin: string) =>
        fetch(`${server.baseUrl}/reconnect/conn-1/start`, {
          method: 'POST',
          headers: { accept: 'application/json', 'x-user': 'user-1', origin },
        });
      expect((await post(server.baseUrl)).status).toBe(200);
      expect((await post('http://evil.test')).status).toBe(403);
      expect(service.startCalls).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('per-connection rate limit on starts (finding 4)', () => {
  let service: FakeReconnectionService;
  beforeEach(() => {
    service = new FakeReconnectionService();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the eleventh start within the hour → 429 with Retry-After; other connections are not affected', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T12:00:00Z'));
    service.connections.set('conn-2', connection('conn-2'));
    const { start: handler } = createReconnectHandlers(service, baseOptions);
    for (let i = 0; i < 10; i += 1) {
      expect((await handler(start(), { connectionId: 'conn-1' })).status).toBe(200);
    }
    const limited = await handler(start(), { connectionId: 'conn-1' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3600');
    expect(await readJson(limited)).toMatchObject({ error: { code: 'rate_limited' } });
    expect(service.startCalls).toHaveLength(10);
    expect((await handler(start(), { connectionId: 'conn-2' })).status).toBe(200);

    vi.setSystemTime(new Date('2026-03-01T12:59:00Z'));
    const later = await handler(start(), { connectionId: 'conn-1' });
    expect(later.status).toBe(429);
    expect(later.headers.get('retry-after')).toBe('60');
    vi.setSystemTime(new Date('2026-03-01T13:00:01Z'));
    expect((await handler(start(), { connectionId: 'conn-1' })).status).toBe(200);
  });

  it('a refused (unauthorized or cross-site) start spends nothing of the owner’s budget', async () => {
    const { start: handler } = createReconnectHandlers(service, {
      ...baseOptions,
      startRateLimiter: new RateLimiterMemory({ points: 1, duration: 60 }),
    });
    for (let i = 0; i < 5; i += 1) {
      expect((await handler(start({ 'x-user': 'mallory' }), { connectionId: 'conn-1' })).status).toBe(404);
      expect(
        (await handler(start({ 'sec-fetch-site': 'cross-site' }), { connectionId: 'conn-1' })).status,
      ).toBe(403);
    }
    expect((await handler(start(), { connectionId: 'conn-1' })).status).toBe(200);
  });

  it('is configurable: a custom limiter, and false to turn it off', async () => {
    const strict = createReconnectHandlers(service, {
      ...baseOptions,
      startRateLimiter: new RateLimiterMemory({ points: 2, duration: 30 }),
    });
    expect((await strict.start(start(), { connectionId: 'conn-1' })).status).toBe(200);
    expect((await strict.start(start(), { connectionId: 'conn-1' })).status).toBe(200);
    const third = await strict.start(start({ accept: 'text/html' }), { connectionId: 'conn-1' });
    expect(third.status).toBe(303);
    expect(third.headers.get('location')).toBe(
      'https://host.test/settings?connection=conn-1&error=rate_limited',
    );

    const off = createReconnectHandlers(service, { ...baseOptions, startRateLimiter: false });
    for (let i = 0; i < 12; i += 1)
      expect((await off.start(start(), { connectionId: 'conn-1' })).status).toBe(200);
  });

  it('a limiter that fails (its store is down) answers 500 and starts nothing', async () => {
    const { logger, entries } = recordingLogger();
    const { start: handler } = createReconnectHandlers(service, {
      ...baseOptions,
      logger,
      startRateLimiter: { consume: () => Promise.reject(new Error('redis down')) },
    });
    expect((await handler(start(), { connectionId: 'conn-1' })).status).toBe(500);
    expect(service.startCalls).toHaveLength(0);
    expect(entries.map((entry) => entry.level)).toEqual(['error']);
  });
});

describe('callback answers carry an outcome code only (finding 2)', () => {
  it('no connection details, no expected/actual identities, no vendor problem text', async () => {
    const service = new FakeReconnectionService();
    service.complete = async () => ({
      outcome: 'account_mismatch',
      connection: connection('conn-1'),
      expected: { upstreamId: 'up-conn-1', upstreamParentId: 'argyle-user-alice' },
      actual: { upstreamId: 'acc-of-bob', upstreamParentId: 'argyle-user-bob' },
    });
    const { callback } = createReconnectHandlers(service, baseOptions);
    const request = () =>
      new Request('https://host.test/reconnect/callback?state=s&account_id=acc-of-bob', {
        headers: { accept: 'application/json' },
      });
    const mismatch = await callback(request());
    expect(await readJson(mismatch)).toEqual({ connectionId: 'conn-1', outcome: 'account_mismatch' });

    service.complete = async () => ({
      outcome: 'failed',
      connection: connection('conn-1'),
      problem: {
        state: 'needs_credentials',
        vendor: {
          status: 'error',
          code: 'invalid_credentials',
          message: 'account acc-of-bob belongs to bob',
        },
        reason: 'The account acc-of-bob is not yours.',
        fix: 'reenter_credentials',
      },
    });
    expect(await readJson(await callback(request()))).toEqual({ connectionId: 'conn-1', outcome: 'failed' });
  });

  it('errors carry the code and the generic message, not a message naming another account or user', async () => {
    const service = new FakeReconnectionService();
    service.complete = () =>
      Promise.reject(
        new ReconnectKitError('invalid_input', {
          message: 'Account acc-of-bob is registered to another host user.',
        }),
      );
    const response = await createReconnectHandlers(service, baseOptions).callback(
      new Request('https://host.test/reconnect/callback?state=s', {
        headers: { accept: 'application/json' },
      }),
    );
    expect(response.status).toBe(400);
    expect(await readJson(response)).toEqual({
      error: { code: 'invalid_input', message: 'The input is invalid.' },
    });
  });
});

describe('client aborts mid-upload (finding 5)', () => {
  it('express: a distinct code, logged at info without a stack, the service never called', async () => {
    const service = new FakeReconnectionService();
    const { logger, entries } = recordingLogger();
    const app = express();
    app.use('/hooks', createWebhookRouter(service, { logger }));
    const server = await listen(app);
    try {
      const req = httpRequest({
        host: '127.0.0.1',
        port: new URL(server.baseUrl).port,
        method: 'POST',
        path: '/hooks/webhooks/example',
        headers: { 'content-length': '1000' },
      });
      req.on('error', () => {}); // the client side of the hang-up is expected
      req.write(Buffer.alloc(100, 0x20));
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      // The server notices the hang-up on its own schedule; a loaded machine needs longer than poll's 1 s default.
      await expect.poll(() => entries.length, { timeout: 10_000 }).toBe(1);
      expect(entries[0]).toEqual({
        level: 'info',
        message: 'reconnect-kit: the client aborted the request',
        fields: { route: 'webhook', provider: 'example', code: 'client_aborted' },
      });
      expect(service.ingestCalls).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('fetch: an aborted request stream is client_aborted at info, not internal_error at error', async () => {
    const service = new FakeReconnectionService();
    const { logger, entries } = recordingLogger();
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new Uint8Array(10));
      },
      pull(stream) {
        controller.abort();
        stream.error(new TypeError('terminated'));
      },
    });
    const request = new Request('https://host.test/hooks/webhooks/example', {
      method: 'POST',
      body,
      signal: controller.signal,
      duplex: 'half',
    } as RequestInit);
    const response = await createWebhookHandler(service, { logger })(request, { provider: 'example' });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ error: { code: 'client_aborted' } });
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'reconnect-kit: the client aborted the request',
        fields: { route: 'webhook', provider: 'example', code: 'client_aborted' },
      },
    ]);
    expect(service.ingestCalls).toHaveLength(0);
  });
});
