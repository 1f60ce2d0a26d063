import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { ERROR_CODES } from '@reconnect-kit/core';
import express, { type Express } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReconnectRouter, createWebhookRouter, keepRawBody } from './express.js';
import {
  AUTH_CODE,
  deferred,
  expectNoSecrets,
  FakeReconnectionService,
  FINCH_STYLE_ACTION,
  recordingLogger,
  sign,
} from './fake-service.test-helpers.js';
import { listen } from './http.test-helpers.js';

const MIB = 1024 * 1024;
const encoder = new TextEncoder();
const closers: (() => Promise<void>)[] = [];

async function serve(app: Express): Promise<string> {
  const { baseUrl, close } = await listen(app);
  closers.push(close);
  return baseUrl;
}

it('runs with CommonJS dependencies of express loaded as CommonJS', () => {
  // express's router calls require('is-promise'); when the test runner passes `--conditions import` to Node,
  // that require loads the package's ESM build (a namespace, not a function) and every express app answers 500.
  // Fix: keep `import` out of `ssr.resolve.conditions` in vitest.config.ts.
  const routerRequire = createRequire(createRequire(import.meta.resolve('express')).resolve('router'));
  const required: unknown = routerRequire('is-promise');
  expect(typeof required, 'vitest.config.ts ssr.resolve.conditions must not contain "import"').toBe(
    'function',
  );
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function postWebhook(baseUrl: string, body: Uint8Array<ArrayBuffer>, signature = sign(body)) {
  return fetch(`${baseUrl}/hooks/webhooks/example`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-example-signature': signature },
    body,
  });
}

async function text(response: Response): Promise<string> {
  const body = await response.text();
  expectNoSecrets(body);
  return body;
}

describe('createWebhookRouter over real HTTP', () => {
  let service: FakeReconnectionService;
  beforeEach(() => {
    service = new FakeReconnectionService();
  });

  function app(options: Parameters<typeof createWebhookRouter>[1] = {}): Express {
    const host = express();
    host.use('/hooks', createWebhookRouter(service, options));
    return host;
  }

  it('delivers the raw bytes byte-exact (non-ASCII, whitespace, CRLF) and answers with the receipt', async () => {
    const baseUrl = await serve(app());
    const body = encoder.encode('\r\n  { "name" :\t"Zoë — 名前 ✓ 🚀",  "n": 1.50 }\n\n');
    const response = await postWebhook(baseUrl, body);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const answer = await text(response);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(answer)));
    expect(JSON.parse(answer)).toEqual({ received: true, applied: 1, duplicates: 0, ignored: 0 });
    expect(Buffer.from(service.ingestCalls[0]?.rawBody ?? []).equals(Buffer.from(body))).toBe(true);
  });

  it('answers 401 on a bad signature and 400 on malformed JSON', async () => {
    const baseUrl = await serve(app());
    const bad = await postWebhook(baseUrl, encoder.encode('{"a":1}'), sign(encoder.encode('{"a":2}')));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(bad.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(await text(bad))).toEqual({
      error: { code: 'webhook_signature_invalid', message: ERROR_CODES.webhook_signature_invalid.message },
    });
    const malformed = await postWebhook(baseUrl, encoder.encode('{"a":'));
    expect(malformed.status).toBe(400);
    expect(JSON.parse(await text(malformed)).error.code).toBe('webhook_payload_invalid');
  });

  it('answers 413 on 1 MiB + 1 byte without calling the service, and accepts exactly 1 MiB', async () => {
    const baseUrl = await serve(app());
    const tooBig = await postWebhook(baseUrl, new Uint8Array(MIB + 1).fill(0x20));
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(await text(tooBig)).error.code).toBe('webhook_too_large');
    expect(service.ingestCalls).toHaveLength(0);

    service.ingest = async () => ({ applied: 0, duplicates: 0, ignored: 1, events: [] });
    const atLimit = await postWebhook(baseUrl, new Uint8Array(MIB).fill(0x20));
    expect(atLimit.status).toBe(200);
    expect(service.ingestCalls).toHaveLength(1);
  });

  it('answers 413 to a chunked body (no Content-Length) once it passes the limit', async () => {
    const baseUrl = await serve(app({ maxBodyBytes: 1000 }));
    const { port } = new URL(baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/hooks/webhooks/example' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      // Writes 600-byte chunks until the server answers; never ends the body by itself.
      const writeMore = () => {
        if (req.destroyed || req.writableEnded) return;
        if (req.write(Buffer.alloc(600, 0x20))) setImmediate(writeMore);
        else req.once('drain', writeMore);
      };
      req.once('response', () => req.destroy());
      writeMore();
    });
    expect(status).toBe(413);
    expect(service.ingestCalls).toHaveLength(0);
  });

  it('sends the 200 only after ingestWebhook resolved', async () => {
    const ingestion = deferred<{ applied: number; duplicates: number; ignored: number; events: [] }>();
    const ingestStarted = deferred<void>();
    service.ingest = () => {
      ingestStarted.resolve();
      return ingestion.promise;
    };
    const baseUrl = await serve(app());
    let answered = false;
    const pending = postWebhook(baseUrl, encoder.encode('{}')).then((response) => {
      answered = true;
      return response;
    });
    await ingestStarted.promise;
    // Give the server every chance to answer early: several macrotask turns.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);

    ingestion.resolve({ applied: 1, duplicates: 0, ignored: 0, events: [] });
    expect((await pending).status).toBe(200);
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    const baseUrl = await serve(app());
    const response = await fetch(`${baseUrl}/hooks/webhooks/example`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(service.ingestCalls).toHaveLength(0);
  });

  it('works behind a global express.json({ verify: keepRawBody }) with the exact bytes', async () => {
    const host = express();
    host.use(express.json({ verify: keepRawBody }));
    host.post('/api/echo', (req, res) => {
      res.json(req.body);
    });
    host.use('/hooks', createWebhookRouter(service));
    const baseUrl = await serve(host);

    const body = encoder.encode('{ "name":  "Zoë 名前" ,\n "n": 1.50 }');
    const response = await postWebhook(baseUrl, body);
    expect(response.status).toBe(200);
    expect(Buffer.from(service.ingestCalls[0]?.rawBody ?? []).equals(Buffer.from(body))).toBe(true);

    // The host's own JSON routes keep working.
    const echo = await fetch(`${baseUrl}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    });
    expect(await echo.json()).toEqual({ ok: true });
  });

  it('still enforces maxBodyBytes on the bytes kept by keepRawBody', async () => {
    const host = express();
    host.use(express.json({ verify: keepRawBody }));
    host.use('/hooks', createWebhookRouter(service, { maxBodyBytes: 16 }));
    const baseUrl = await serve(host);
    const response = await postWebhook(baseUrl, encoder.encode('{"a":"0123456789abcdef"}'));
    expect(response.status).toBe(413);
    expect(service.ingestCalls).toHaveLength(0);
  });

  it('fails loudly (500 config_invalid, logged) behind a plain global express.json() instead of a false 401', async () => {
    const { logger, entries } = recordingLogger();
    const host = express();
    host.use(express.json());
    host.use('/hooks', createWebhookRouter(service, { logger }));
    const baseUrl = await serve(host);

    const response = await postWebhook(baseUrl, encoder.encode('{"a":1}'));
    expect(response.status).toBe(500);
    expect(JSON.parse(await text(response))).toEqual({
      error: { code: 'config_invalid', message: ERROR_CODES.config_invalid.message },
    });
    expect(service.ingestCalls).toHaveLength(0);
    expect(JSON.stringify(entries)).toContain('keepRawBody');
  });

  it('still reads the raw stream when a global express.json() skips the content type', async () => {
    const host = express();
    host.use(express.json());
    host.use('/hooks', createWebhookRouter(service));
    const baseUrl = await serve(host);
    const body = encoder.encode('{"a": "ü"}');
    const response = await fetch(`${baseUrl}/hooks/webhooks/example`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-example-signature': sign(body) },
      body,
    });
    expect(response.status).toBe(200);
  });
});

describe('createReconnectRouter over real HTTP', () => {
  let service: FakeReconnectionService;
  let baseUrl: string;
  beforeEach(async () => {
    service = new FakeReconnectionService();
    const host = express();
    host.use(express.json()); // a global parser must not disturb these routes either
    host.use((req, _res, next) => {
      (req as express.Request & { userId?: string }).userId = req.header('x-user');
      next();
    });
    host.use(
      createReconnectRouter(service, {
        returnUrl: 'https://app.test/settings',
        callbackUrl: 'https://app.test/reconnect/callback',
        authorize: (req, connection) =>
          (req as express.Request & { userId?: string }).userId === connection.hostUserId,
      }),
    );
    baseUrl = await serve(host);
  });

  it('POST start answers JSON {action} to a fetch client and 303 to a browser form post', async () => {
    const json = await fetch(`${baseUrl}/reconnect/conn-1/start`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-user': 'user-1' },
    });
    expect(json.status).toBe(200);
    expect(JSON.parse(await text(json))).toEqual({ action: JSON.parse(JSON.stringify(FINCH_STYLE_ACTION)) });
    expect(service.startCalls.at(-1)?.options).toEqual({
      redirectUri: 'https://app.test/reconnect/callback',
    });

    const form = await fetch(`${baseUrl}/reconnect/conn-1/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        'content-type': 'application/x-www-form-urlencoded',
        'x-user': 'user-1',
      },
      body: '',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe(FINCH_STYLE_ACTION.url);
  });

  it('POST start answers 404 to another user, and 405 to GET', async () => {
    const other = await fetch(`${baseUrl}/reconnect/conn-1/start`, {
      method: 'POST',
      headers: { accept: 'application/json', 'x-user': 'user-2' },
    });
    expect(other.status).toBe(404);
    expect(JSON.parse(await text(other)).error.code).toBe('connection_not_found');
    const get = await fetch(`${baseUrl}/reconnect/conn-1/start`, { headers: { 'x-user': 'user-1' } });
    expect(get.status).toBe(405);
    expect(service.startCalls).toHaveLength(0);
  });

  it('GET callback redirects back with the outcome, or with ?error=<code>', async () => {
    const ok = await fetch(`${baseUrl}/reconnect/callback?code=${AUTH_CODE}&state=state-1`, {
      redirect: 'manual',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('https://app.test/settings?connection=conn-1&outcome=recovered');
    expect(service.completeCalls).toEqual([{ code: AUTH_CODE, state: 'state-1' }]);

    const forged = await fetch(`${baseUrl}/reconnect/callback?state=forged&account_id=a&user_id=u`, {
      redirect: 'manual',
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('https://app.test/settings?error=state_invalid');
    expect(service.completeCalls.at(-1)).toEqual({ state: 'forged', account_id: 'a', user_id: 'u' });
  });

  it('GET callback answers JSON when asked for it', async () => {
    const response = await fetch(`${baseUrl}/reconnect/callback?code=${AUTH_CODE}&state=state-1`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(await text(response))).toEqual({ connectionId: 'conn-1', outcome: 'recovered' });
  });
});
