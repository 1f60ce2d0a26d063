import type { Connection, ConnectionEvent } from '@reconnect-kit/core';
import {
  createExampleKit,
  type ExampleKit,
  type ExampleWebhookEvent,
  TEST_STATE_SIGNING_KEY,
  TEST_WEBHOOK_SECRET,
} from '@reconnect-kit/core/testing';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReconnectRouter, createWebhookRouter, keepRawBody } from './express.js';
import { createReconnectHandlers, createWebhookHandler } from './fetch.js';
import { listen } from './http.test-helpers.js';

// Mounts the real ReconnectionService (core, in-memory store) with the example provider over real HTTP.

const NEW_TOKEN = 'new-vendor-token-8d1f';
const CODE = 'reconnect-code-2c7a';
let kit: ExampleKit;
let connection: Connection;
let baseUrl: string;
let close: () => Promise<void>;
/** Every body and Location header a test received, checked for secrets after each test. */
let seen: string[];

async function record(response: Response): Promise<{ response: Response; text: string }> {
  const text = await response.text();
  seen.push(text, response.headers.get('location') ?? '');
  return { response, text };
}

function statusEvent(id: string, status: ExampleWebhookEvent['status']): ExampleWebhookEvent {
  return {
    id,
    type: 'account.status',
    account_id: 'acc-1',
    status,
    occurred_at: kit.clock.now().toISOString(),
  };
}

async function postSigned(events: ExampleWebhookEvent[], tamper?: (headers: Record<string, string>) => void) {
  const signed = kit.webhook(events);
  const headers = { ...signed.headers };
  tamper?.(headers);
  return record(
    await fetch(`${baseUrl}/hooks/webhooks/example`, {
      method: 'POST',
      headers,
      body: new Uint8Array(signed.rawBody),
    }),
  );
}

async function serve(app: express.Express): Promise<void> {
  ({ baseUrl, close } = await listen(app));
}

function hostApp(options: { globalJsonWithKeepRawBody?: boolean } = {}): express.Express {
  const app = express();
  if (options.globalJsonWithKeepRawBody) app.use(express.json({ verify: keepRawBody }));
  app.use('/hooks', createWebhookRouter(kit.service));
  if (!options.globalJsonWithKeepRawBody) app.use(express.json());
  app.use(
    createReconnectRouter(kit.service, {
      authorize: (req, c) => c.hostUserId === req.get('x-user'),
      callbackUrl: 'https://app.test/reconnect/callback',
      returnUrl: 'https://app.test/settings',
    }),
  );
  return app;
}

beforeEach(async () => {
  seen = [];
  kit = createExampleKit();
  kit.vendor.addAccount({ id: 'acc-1', ownerId: 'owner-1', token: 'old-token' });
  connection = await kit.service.registerConnection({
    provider: 'example',
    hostUserId: 'user-1',
    upstreamId: 'acc-1',
    upstreamParentId: 'owner-1',
    state: 'connected',
    secrets: { token: 'old-token' },
  });
  await serve(hostApp());
});

afterEach(async () => {
  await close();
  const all = seen.join('\n');
  for (const secret of [
    TEST_WEBHOOK_SECRET,
    TEST_STATE_SIGNING_KEY,
    'old-token',
    NEW_TOKEN,
    CODE,
    'sha256=',
  ]) {
    expect(all, `a response leaked ${secret}`).not.toContain(secret);
  }
});

describe('express routers with the real ReconnectionService', () => {
  it('applies a signed webhook, answers 200 after it is stored, and dedupes a redelivery', async () => {
    const delivered: ConnectionEvent[] = [];
    kit.service.subscribe((event) => {
      delivered.push(event);
    });
    const events = [statusEvent('evt-1', 'login_required')];

    const first = await postSigned(events);
    expect(first.response.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ received: true, applied: 1, duplicates: 0, ignored: 0 });
    // Stored by the time the 200 arrived: state and outbox.
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
    await kit.service.deliverOutbox();
    expect(delivered.map((e) => e.type)).toContain('connection.broken');

    const again = await postSigned(events);
    expect(again.response.status).toBe(200);
    expect(JSON.parse(again.text)).toMatchObject({ applied: 0, duplicates: 1 });
  });

  it('answers 401 for a bad or stale signature, 400 for a bad payload or provider, and changes nothing', async () => {
    const badSignature = await postSigned([statusEvent('evt-2', 'removed')], (h) => {
      h['x-example-signature'] = `sha256=${'0'.repeat(64)}`;
    });
    expect(badSignature.response.status).toBe(401);
    expect(JSON.parse(badSignature.text).error.code).toBe('webhook_signature_invalid');

    const signed = kit.webhook([statusEvent('evt-3', 'removed')]);
    await kit.clock.advance(10 * 60 * 1000);
    const stale = await record(
      await fetch(`${baseUrl}/hooks/webhooks/example`, {
        method: 'POST',
        headers: signed.headers,
        body: new Uint8Array(signed.rawBody),
      }),
    );
    expect(stale.response.status).toBe(401);
    expect(JSON.parse(stale.text).error.code).toBe('webhook_stale');

    const wrongShape = await postSigned([{ id: 'evt-4' } as ExampleWebhookEvent]);
    expect(wrongShape.response.status).toBe(400);
    expect(JSON.parse(wrongShape.text).error.code).toBe('webhook_payload_invalid');

    const unknown = await record(
      await fetch(`${baseUrl}/hooks/webhooks/nope`, { method: 'POST', body: '{}' }),
    );
    expect(unknown.response.status).toBe(400);
    expect(JSON.parse(unknown.text).error.code).toBe('provider_not_registered');

    expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
  });

  it('verifies the real signature behind a global express.json({ verify: keepRawBody })', async () => {
    await close();
    await serve(hostApp({ globalJsonWithKeepRawBody: true }));
    const response = await postSigned([statusEvent('evt-5', 'login_required')]);
    expect(response.response.status).toBe(200);
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
  });

  it('runs the whole reconnect: start (JSON and 303), vendor grant, callback → recovered', async () => {
    await postSigned([statusEvent('evt-6', 'login_required')]);

    const denied = await record(
      await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-user': 'intruder' },
      }),
    );
    expect(denied.response.status).toBe(404);
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');

    const started = await record(
      await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-user': 'user-1' },
      }),
    );
    expect(started.response.status).toBe(200);
    const { action } = JSON.parse(started.text);
    expect(action.kind).toBe('redirect');
    const vendorUrl = new URL(action.url);
    expect(vendorUrl.searchParams.get('redirect_uri')).toBe('https://app.test/reconnect/callback');
    expect(vendorUrl.searchParams.get('state')).toBe(action.state);

    const form = await record(
      await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        redirect: 'manual',
        headers: { accept: 'text/html', 'x-user': 'user-1' },
      }),
    );
    expect(form.response.status).toBe(303);
    const formUrl = new URL(form.response.headers.get('location') ?? '');
    expect(formUrl.origin).toBe('https://connect.example.test');

    kit.vendor.issueCode(CODE, { accountId: 'acc-1', ownerId: 'owner-1', token: NEW_TOKEN });
    // The second start superseded the first one's state.
    const stale = new URLSearchParams({ code: CODE, state: action.state });
    const refused = await record(
      await fetch(`${baseUrl}/reconnect/callback?${stale}`, { redirect: 'manual' }),
    );
    expect(refused.response.headers.get('location')).toBe('https://app.test/settings?error=state_superseded');
    const query = new URLSearchParams({ code: CODE, state: formUrl.searchParams.get('state') ?? '' });
    const back = await record(await fetch(`${baseUrl}/reconnect/callback?${query}`, { redirect: 'manual' }));
    expect(back.response.status).toBe(303);
    expect(back.response.headers.get('location')).toBe(
      `https://app.test/settings?connection=${connection.id}&outcome=recovered`,
    );
    expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
  });

  it('reports an account mismatch, a rejected code and a tampered state back to the page', async () => {
    const start = async () => {
      const response = await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-user': 'user-1' },
      });
      return JSON.parse((await record(response)).text).action.state as string;
    };
    const callback = async (params: Record<string, string>) =>
      (
        await record(
          await fetch(`${baseUrl}/reconnect/callback?${new URLSearchParams(params)}`, { redirect: 'manual' }),
        )
      ).response.headers.get('location');

    const state = await start();
    kit.vendor.issueCode(CODE, { accountId: 'acc-1', ownerId: 'owner-OTHER', token: NEW_TOKEN });
    expect(await callback({ code: CODE, state })).toBe(
      `https://app.test/settings?connection=${connection.id}&outcome=account_mismatch`,
    );

    expect(await callback({ code: 'never-issued', state: await start() })).toBe(
      'https://app.test/settings?error=reconnect_code_invalid',
    );
    expect(await callback({ code: CODE, state: `${await start()}x` })).toBe(
      'https://app.test/settings?error=state_invalid',
    );
  });

  it('binds a reconnect to the browser session with the sessionBinding option', async () => {
    await close();
    const app = express();
    app.use(
      createReconnectRouter(kit.service, {
        authorize: (req, c) => c.hostUserId === req.get('x-user'),
        returnUrl: 'https://app.test/settings',
        // The host's own session cookie; any value only that browser holds will do.
        sessionBinding: (request) => /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1],
      }),
    );
    await serve(app);
    await postSigned([statusEvent('evt-9', 'login_required')]);
    const started = await record(
      await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-user': 'user-1', cookie: 'sid=browser-a' },
      }),
    );
    const { state } = JSON.parse(started.text).action as { state: string };
    kit.vendor.issueCode(CODE, { accountId: 'acc-1', ownerId: 'owner-1', token: NEW_TOKEN });
    const callback = async (cookie?: string) =>
      (
        await record(
          await fetch(`${baseUrl}/reconnect/callback?${new URLSearchParams({ code: CODE, state })}`, {
            redirect: 'manual',
            headers: cookie ? { cookie } : {},
          }),
        )
      ).response.headers.get('location');
    expect(await callback('sid=browser-b')).toBe('https://app.test/settings?error=state_session_mismatch');
    expect(await callback()).toBe('https://app.test/settings?error=state_session_mismatch');
    expect((await kit.service.getConnection(connection.id)).state).toBe('reconnecting');
    expect(await callback('theme=dark; sid=browser-a')).toBe(
      `https://app.test/settings?connection=${connection.id}&outcome=recovered`,
    );
  });

  it('answers 409 connection_terminal when starting a revoked connection', async () => {
    await kit.service.revoke(connection.id);
    const response = await record(
      await fetch(`${baseUrl}/reconnect/${connection.id}/start`, {
        method: 'POST',
        headers: { accept: 'application/json', 'x-user': 'user-1' },
      }),
    );
    expect(response.response.status).toBe(409);
    expect(JSON.parse(response.text).error.code).toBe('connection_terminal');
  });
});

describe('fetch handlers with the real ReconnectionService', () => {
  it('ingests a signed webhook and completes a reconnect from plain Requests', async () => {
    const webhook = createWebhookHandler(kit.service);
    const reconnect = createReconnectHandlers(kit.service, {
      authorize: () => true,
      returnUrl: '/settings',
    });
    const signed = kit.webhook([statusEvent('evt-7', 'login_required')]);
    const ingested = await record(
      await webhook(
        new Request('https://host.test/webhooks/example', {
          method: 'POST',
          headers: signed.headers,
          body: new Uint8Array(signed.rawBody),
        }),
        { provider: 'example' },
      ),
    );
    expect(ingested.response.status).toBe(200);

    const started = await record(
      await reconnect.start(
        new Request(`https://host.test/reconnect/${connection.id}/start`, { method: 'POST' }),
        {
          connectionId: connection.id,
        },
      ),
    );
    const { action } = JSON.parse(started.text);
    kit.vendor.issueCode(CODE, { accountId: 'acc-1', ownerId: 'owner-1', token: NEW_TOKEN });
    const completed = await record(
      await reconnect.callback(
        new Request(
          `https://host.test/reconnect/callback?${new URLSearchParams({ code: CODE, state: action.state })}`,
          {
            headers: { accept: 'application/json' },
          },
        ),
      ),
    );
    expect(completed.response.status).toBe(200);
    expect(JSON.parse(completed.text)).toEqual({ connectionId: connection.id, outcome: 'recovered' });
    expect(await kit.service.getConnection(connection.id)).toMatchObject({ state: 'connected' });
  });
});
