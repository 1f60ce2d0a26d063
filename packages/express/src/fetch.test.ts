import {
  ERROR_CODES,
  type ReconnectAction,
  ReconnectKitError,
  type ReconnectKitErrorCode,
} from '@reconnect-kit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AUTH_CODE,
  connection,
  deferred,
  expectNoSecrets,
  FakeReconnectionService,
  FINCH_STYLE_ACTION,
  recordingLogger,
  sign,
  WEBHOOK_SECRET,
  WIDGET_ACTION_WITHOUT_URL,
} from './fake-service.test-helpers.js';
import { createReconnectHandlers, createWebhookHandler } from './fetch.js';

const MIB = 1024 * 1024;
const encoder = new TextEncoder();

function webhookRequest(body: Uint8Array<ArrayBuffer>, init: { signature?: string; method?: string } = {}) {
  return new Request('https://host.test/hooks/webhooks/example', {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', 'x-example-signature': init.signature ?? sign(body) },
    body: init.method === 'GET' || init.method === 'HEAD' ? null : body,
  });
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  expectNoSecrets(text);
  return JSON.parse(text);
}

const ALL_CODES = Object.keys(ERROR_CODES) as ReconnectKitErrorCode[];

describe('createWebhookHandler', () => {
  let service: FakeReconnectionService;
  beforeEach(() => {
    service = new FakeReconnectionService();
  });

  it('passes the exact bytes and headers to ingestWebhook and answers with the receipt', async () => {
    const body = encoder.encode('  {"event" : "updated",\n\t"name": "Zoë 名前 ✓"}  \r\n');
    const response = await createWebhookHandler(service)(webhookRequest(body), { provider: 'example' });

    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ received: true, applied: 1, duplicates: 0, ignored: 0 });
    expect(service.ingestCalls).toHaveLength(1);
    expect(service.ingestCalls[0]?.provider).toBe('example');
    expect(Buffer.from(service.ingestCalls[0]?.rawBody ?? []).equals(Buffer.from(body))).toBe(true);
    expect(service.ingestCalls[0]?.headers.get('x-example-signature')).toBe(sign(body));
  });

  it('answers 401 for a bad signature and 400 for malformed JSON', async () => {
    const handler = createWebhookHandler(service);
    const body = encoder.encode('{"event":"updated"}');
    const badSignature = await handler(webhookRequest(body, { signature: 'f'.repeat(64) }), {
      provider: 'example',
    });
    expect(badSignature.status).toBe(401);
    expect(await readJson(badSignature)).toEqual({
      error: { code: 'webhook_signature_invalid', message: ERROR_CODES.webhook_signature_invalid.message },
    });

    const malformed = await handler(webhookRequest(encoder.encode('{"event":')), { provider: 'example' });
    expect(malformed.status).toBe(400);
    expect((await readJson(malformed)) as object).toMatchObject({
      error: { code: 'webhook_payload_invalid' },
    });
  });

  it('accepts exactly the limit and answers 413 at limit + 1 without calling the service', async () => {
    const handler = createWebhookHandler(service, { maxBodyBytes: MIB });
    service.ingest = async () => ({ applied: 0, duplicates: 0, ignored: 1, events: [] });

    const atLimit = await handler(webhookRequest(new Uint8Array(MIB).fill(0x20)), { provider: 'example' });
    expect(atLimit.status).toBe(200);
    expect(service.ingestCalls).toHaveLength(1);

    const overLimit = await handler(webhookRequest(new Uint8Array(MIB + 1).fill(0x20)), {
      provider: 'example',
    });
    expect(overLimit.status).toBe(413);
    expect((await readJson(overLimit)) as object).toMatchObject({ error: { code: 'webhook_too_large' } });
    expect(service.ingestCalls).toHaveLength(1);
  });

  it('stops reading an endless body without Content-Length at the limit and cancels the stream', async () => {
    let pulledBytes = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledBytes += 4096;
        controller.enqueue(new Uint8Array(4096));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request('https://host.test/webhooks/example', {
      method: 'POST',
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();

    const response = await createWebhookHandler(service, { maxBodyBytes: 64 * 1024 })(request, {
      provider: 'example',
    });

    expect(response.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulledBytes).toBeLessThan(64 * 1024 + 5 * 4096);
    expect(service.ingestCalls).toHaveLength(0);
  });

  it('answers 2xx only after ingestWebhook resolved', async () => {
    const ingestion = deferred<{ applied: number; duplicates: number; ignored: number; events: [] }>();
    service.ingest = () => ingestion.promise;
    let settled = false;
    const pending = createWebhookHandler(service)(webhookRequest(encoder.encode('{}')), {
      provider: 'example',
    }).then((response) => {
      settled = true;
      return response;
    });

    await new Promise((resolve) => setImmediate(resolve));
    expect(service.ingestCalls).toHaveLength(1);
    expect(settled).toBe(false);

    ingestion.resolve({ applied: 0, duplicates: 2, ignored: 0, events: [] });
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ received: true, applied: 0, duplicates: 2, ignored: 0 });
  });

  it('answers non-2xx when ingestion fails, so the vendor retries', async () => {
    service.ingest = () => Promise.reject(new ReconnectKitError('store_conflict'));
    const response = await createWebhookHandler(service)(webhookRequest(encoder.encode('{}')), {
      provider: 'example',
    });
    expect(response.status).toBe(409);
  });

  it.each(['GET', 'PUT', 'DELETE', 'HEAD'])('answers 405 with Allow: POST to %s', async (method) => {
    const response = await createWebhookHandler(service)(webhookRequest(encoder.encode('{}'), { method }), {
      provider: 'example',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(service.ingestCalls).toHaveLength(0);
  });

  it('maps every code of the error table to its status and {error: {code, message}}', async () => {
    const { logger, entries } = recordingLogger();
    const handler = createWebhookHandler(service, { logger });
    for (const code of ALL_CODES) {
      service.ingest = () =>
        Promise.reject(
          new ReconnectKitError(code, {
            cause: new Error(WEBHOOK_SECRET),
            details: { secret: WEBHOOK_SECRET },
          }),
        );
      const response = await handler(webhookRequest(encoder.encode('{}')), { provider: 'example' });
      expect({ code, status: response.status }).toEqual({ code, status: ERROR_CODES[code].status });
      expect(await readJson(response)).toEqual({ error: { code, message: ERROR_CODES[code].message } });
    }
    expect(entries.filter((e) => e.level === 'error').map((e) => e.fields?.code)).toEqual(
      ALL_CODES.filter((code) => ERROR_CODES[code].status >= 500),
    );
  });

  it('hides the message of server-side errors but keeps the client-side one', async () => {
    const handler = createWebhookHandler(service);
    service.ingest = () =>
      Promise.reject(new ReconnectKitError('upstream_error', { message: `vendor said ${WEBHOOK_SECRET}` }));
    const server = await handler(webhookRequest(encoder.encode('{}')), { provider: 'example' });
    expect(await readJson(server)).toEqual({
      error: { code: 'upstream_error', message: ERROR_CODES.upstream_error.message },
    });

    service.ingest = () =>
      Promise.reject(
        new ReconnectKitError('webhook_payload_invalid', { message: 'Field "event" is missing.' }),
      );
    const client = await handler(webhookRequest(encoder.encode('{}')), { provider: 'example' });
    expect(await readJson(client)).toEqual({
      error: { code: 'webhook_payload_invalid', message: 'Field "event" is missing.' },
    });
  });

  it('answers 500 with a generic message for unexpected errors and logs them without body or headers', async () => {
    const { logger, entries } = recordingLogger();
    service.ingest = () => Promise.reject(new TypeError(`db password ${WEBHOOK_SECRET}`));
    const body = encoder.encode('{"payload":"sensitive-body-marker"}');
    const response = await createWebhookHandler(service, { logger })(webhookRequest(body), {
      provider: 'example',
    });

    expect(response.status).toBe(500);
    expect(await readJson(response)).toEqual({
      error: { code: 'internal_error', message: 'Internal server error.' },
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.level).toBe('error');
    const logged = JSON.stringify(entries);
    expect(logged).toContain('TypeError');
    expect(logged).not.toContain('sensitive-body-marker');
    expect(logged).not.toContain(sign(body));
  });

  it('rejects a non-positive or fractional maxBodyBytes at construction', () => {
    expect(() => createWebhookHandler(service, { maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => createWebhookHandler(service, { maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
  });
});

describe('createReconnectHandlers', () => {
  let service: FakeReconnectionService;
  let allowed: boolean;
  const options = () => ({
    returnUrl: '/settings/connections?tab=payroll',
    callbackUrl: 'https://host.test/reconnect/callback',
    authorize: (request: Request, connection: { hostUserId: string }) =>
      allowed && request.headers.get('x-user') === connection.hostUserId,
  });
  const startRequest = (query = '', accept = 'application/json') =>
    new Request(`https://host.test/reconnect/conn-1/start${query}`, {
      method: 'POST',
      headers: { accept, 'x-user': 'user-1' },
    });
  const callbackRequest = (query: string, accept = 'text/html,application/xhtml+xml,*/*;q=0.8') =>
    new Request(`https://host.test/reconnect/callback${query}`, { headers: { accept } });

  beforeEach(() => {
    service = new FakeReconnectionService();
    allowed = true;
  });

  it('start answers JSON {action} and passes the configured callback URL as redirectUri', async () => {
    const response = await createReconnectHandlers(service, options()).start(startRequest(), {
      connectionId: 'conn-1',
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ action: JSON.parse(JSON.stringify(FINCH_STYLE_ACTION)) });
    expect(service.startCalls).toEqual([
      { connectionId: 'conn-1', options: { redirectUri: 'https://host.test/reconnect/callback' } },
    ]);
  });

  it('start redirects (303) to the action URL for HTML clients and for ?redirect=1', async () => {
    const { start } = createReconnectHandlers(service, options());
    for (const request of [startRequest('', 'text/html,*/*;q=0.8'), startRequest('?redirect=1', '*/*')]) {
      const response = await start(request, { connectionId: 'conn-1' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(FINCH_STYLE_ACTION.url);
    }
    const forcedJson = await start(startRequest('?redirect=0', 'text/html'), { connectionId: 'conn-1' });
    expect(forcedJson.status).toBe(200);
  });

  const actionsWithUrl: ReconnectAction[] = [
    { ...WIDGET_ACTION_WITHOUT_URL, url: 'https://link.example.test/open?account=acc-1' },
    { kind: 'resend_invite', inviteId: 'inv-1', url: 'https://invite.example.test/inv-1' },
    { kind: 'redirect', url: 'https://share.example.test/u/1', state: 'st', expiresAt: new Date(0) },
  ];
  it.each(actionsWithUrl)('start redirects a browser to the URL of a $kind action', async (action) => {
    service.start = async (id) => ({ connection: await service.getConnection(id), action });
    const response = await createReconnectHandlers(service, options()).start(startRequest('?redirect=1'), {
      connectionId: 'conn-1',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^https:\/\/(link|invite|share)\.example\.test\//);
  });

  it('start answers JSON even for HTML clients when the action has no URL (the page opens the widget)', async () => {
    service.start = async (id) => ({
      connection: await service.getConnection(id),
      action: WIDGET_ACTION_WITHOUT_URL,
    });
    const response = await createReconnectHandlers(service, options()).start(startRequest('?redirect=1'), {
      connectionId: 'conn-1',
    });
    expect(response.status).toBe(200);
    expect((await readJson(response)) as object).toMatchObject({
      action: { kind: 'widget', config: { accountId: 'acc-1' } },
    });
  });

  it('start answers 404 for a connection the user may not reconnect, without starting anything', async () => {
    allowed = false;
    const { start } = createReconnectHandlers(service, options());
    const denied = await start(startRequest(), { connectionId: 'conn-1' });
    const missing = await start(startRequest(), { connectionId: 'conn-404' });
    expect(denied.status).toBe(404);
    expect(await readJson(denied)).toEqual(await readJson(missing));
    expect(service.startCalls).toHaveLength(0);

    const htmlDenied = await start(startRequest('', 'text/html'), { connectionId: 'conn-1' });
    expect(htmlDenied.status).toBe(303);
    expect(htmlDenied.headers.get('location')).toBe(
      '/settings/connections?tab=payroll&connection=conn-1&error=connection_not_found',
    );
  });

  it('start maps every error code to its status (JSON) and to ?error=<code> (HTML)', async () => {
    // Two starts per code: far over the per-connection rate limit, which this test is not about.
    const { start } = createReconnectHandlers(service, { ...options(), startRateLimiter: false });
    for (const code of ALL_CODES) {
      service.start = () => Promise.reject(new ReconnectKitError(code));
      const json = await start(startRequest(), { connectionId: 'conn-1' });
      expect({ code, status: json.status }).toEqual({ code, status: ERROR_CODES[code].status });
      expect(await readJson(json)).toEqual({ error: { code, message: ERROR_CODES[code].message } });
      const html = await start(startRequest('', 'text/html'), { connectionId: 'conn-1' });
      expect(html.headers.get('location')).toBe(
        `/settings/connections?tab=payroll&connection=conn-1&error=${code}`,
      );
    }
  });

  it('start and callback answer 405 to the wrong method', async () => {
    const { start, callback } = createReconnectHandlers(service, options());
    const getStart = await start(new Request('https://host.test/reconnect/conn-1/start'), {
      connectionId: 'conn-1',
    });
    expect(getStart.status).toBe(405);
    expect(getStart.headers.get('allow')).toBe('POST');
    const postCallback = await callback(
      new Request('https://host.test/reconnect/callback?state=state-1', { method: 'POST' }),
    );
    expect(postCallback.status).toBe(405);
    expect(postCallback.headers.get('allow')).toBe('GET');
    expect(service.startCalls).toHaveLength(0);
    expect(service.completeCalls).toHaveLength(0);
  });

  it('callback accepts the Finch redirect (code, state) and redirects to the return page', async () => {
    const response = await createReconnectHandlers(service, options()).callback(
      callbackRequest(`?code=${AUTH_CODE}&state=state-1`),
    );
    expect(service.completeCalls).toEqual([{ code: AUTH_CODE, state: 'state-1' }]);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      '/settings/connections?tab=payroll&connection=conn-1&outcome=recovered',
    );
    expectNoSecrets(response.headers.get('location') ?? '');
  });

  it('callback accepts the Argyle Link completion (state, account_id, user_id)', async () => {
    service.complete = async () => ({
      outcome: 'pending',
      connection: await service.getConnection('conn-1'),
    });
    const response = await createReconnectHandlers(service, options()).callback(
      callbackRequest('?state=state-2&account_id=acc-1&user_id=usr-1'),
    );
    expect(service.completeCalls).toEqual([{ state: 'state-2', account_id: 'acc-1', user_id: 'usr-1' }]);
    expect(response.headers.get('location')).toBe(
      '/settings/connections?tab=payroll&connection=conn-1&outcome=pending',
    );
  });

  it('callback answers the connection id and outcome code only as JSON to clients that prefer JSON', async () => {
    const recovered = { ...connection('conn-1'), state: 'connected' as const };
    // Whatever else the service attaches to its result stays server-side.
    service.complete = async ({ state }) => {
      if (state !== 'state-1') throw new ReconnectKitError('state_invalid');
      return Object.assign({ outcome: 'recovered' as const, connection: recovered }, { internal: AUTH_CODE });
    };
    const { callback } = createReconnectHandlers(service, options());
    const response = await callback(callbackRequest(`?code=${AUTH_CODE}&state=state-1`, 'application/json'));
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ connectionId: 'conn-1', outcome: 'recovered' });
    const failed = await callback(callbackRequest('?state=forged', 'application/json'));
    expect(failed.status).toBe(400);
    expect((await readJson(failed)) as object).toMatchObject({ error: { code: 'state_invalid' } });
  });

  it('callback rejects a missing state or a repeated parameter before calling the service', async () => {
    const { callback } = createReconnectHandlers(service, options());
    const noState = await callback(callbackRequest(`?code=${AUTH_CODE}`));
    expect(noState.headers.get('location')).toBe('/settings/connections?tab=payroll&error=state_invalid');
    const repeated = await callback(callbackRequest('?state=state-1&state=state-2', 'application/json'));
    expect(repeated.status).toBe(400);
    // The callback answers codes with their generic message (anyone holding the link can read the answer).
    expect(await readJson(repeated)).toEqual({
      error: { code: 'invalid_input', message: 'The input is invalid.' },
    });
    expect(service.completeCalls).toHaveLength(0);
  });

  it('callback maps every error code to ?error=<code> and uses a returnUrl function when given', async () => {
    const seen: unknown[] = [];
    const { callback } = createReconnectHandlers(service, {
      ...options(),
      returnUrl: (result) => {
        seen.push(result);
        return 'outcome' in result ? `https://app.test/ok/${result.connectionId}` : `https://app.test/oops`;
      },
    });
    for (const code of ALL_CODES) {
      service.complete = () => Promise.reject(new ReconnectKitError(code));
      const response = await callback(callbackRequest('?state=state-1'));
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe('https://app.test/oops');
    }
    expect(seen).toEqual(ALL_CODES.map((error) => ({ error })));

    service.complete = async () => ({
      outcome: 'account_mismatch',
      connection: await service.getConnection('conn-1'),
      expected: { upstreamId: 'up-conn-1' },
      actual: { upstreamId: 'up-other' },
    });
    const mismatch = await callback(callbackRequest('?state=state-1'));
    expect(mismatch.headers.get('location')).toBe('https://app.test/ok/conn-1');
    expect(seen.at(-1)).toEqual({ connectionId: 'conn-1', outcome: 'account_mismatch' });
  });

  it('callback redirects with error=internal_error for unexpected failures', async () => {
    service.complete = () => Promise.reject(new Error(`token ${AUTH_CODE}`));
    const response = await createReconnectHandlers(service, options()).callback(
      callbackRequest('?state=state-1'),
    );
    expect(response.headers.get('location')).toBe('/settings/connections?tab=payroll&error=internal_error');
  });
});
