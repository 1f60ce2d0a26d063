/** The host app over plain HTTP (the browser flows are in tests/e2e): listening, webhooks, form actions. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHostApp, startHostApp } from './app.js';

const running: RunningHostApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});
const start = async (options: Parameters<typeof startHostApp>[0]) => {
  const app = await startHostApp(options);
  running.push(app);
  return app;
};

async function busyPort(): Promise<{ port: number; release(): Promise<void> }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

describe('startHostApp', () => {
  it('falls back to a free port when asked and the port is busy; fails without the fallback', async () => {
    const busy = await busyPort();
    try {
      await expect(startHostApp({ port: busy.port, seed: false })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      const app = await start({ port: busy.port, fallbackToFreePort: true, seed: false });
      expect(new URL(app.url).port).not.toBe(String(busy.port));
      expect((await fetch(app.url)).status).toBe(200);
    } finally {
      await busy.release();
    }
  });

  it('refuses a webhook with a bad signature and changes nothing', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.finchHealthy;
    const before = await app.service.getConnection(id);
    const response = await fetch(`${app.url}/webhooks/finch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'finch-event-id': 'msg_forged',
        'finch-timestamp': String(Math.floor(Date.now() / 1000)),
        'finch-signature': 'v1,Zm9yZ2Vk',
      },
      body: JSON.stringify({
        connection_id: before.upstreamId,
        event_type: 'account.updated',
        data: { status: 'reauth' },
      }),
    });
    expect(response.status).toBe(401);
    expect((await app.service.getConnection(id)).version).toBe(before.version);
  });

  it('a demo scenario the provider does not have is refused by name, and nothing runs at the mock', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.argyleHealthy;
    const response = await fetch(`${app.url}/demo/connections/${id}/scenarios/finch.reauth`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/?error=invalid_input&connection=${id}`);
    expect((await app.service.getConnection(id)).state).toBe('connected');
  });

  it('serves the live script with its polling interval: 3 s by default, or pollIntervalMs', async () => {
    const script = async (app: RunningHostApp) => (await fetch(`${app.url}/assets/app.js`)).text();
    expect(await script(await start({ port: 0, seed: false }))).toContain(
      'setInterval(() => refresh(), 3000)',
    );
    expect(await script(await start({ port: 0, seed: false, pollIntervalMs: 150 }))).toContain(
      'setInterval(() => refresh(), 150)',
    );
  });

  it('answers /favicon.ico with 204 (no 404 for every page view)', async () => {
    const app = await start({ port: 0, seed: false });
    const response = await fetch(`${app.url}/favicon.ico`);
    expect(response.status).toBe(204);
  });

  it('Disconnect asks first: GET shows the confirmation and changes nothing', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.argyleHealthy;
    const { metadata } = await app.service.getConnection(id);
    const page = await fetch(`${app.url}/connections/${id}/disconnect`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(
      `Disconnect Dave Okafor&#39;s Argyle · ${metadata.employer} connection?`,
    );
    expect((await app.service.getConnection(id)).state).toBe('connected');
  });

  it('Connect again opens Argyle Link on the employer the connection had (one item: direct login)', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.argyleHealthy;
    await app.service.revoke(id);
    const started = await fetch(`${app.url}/connections/${id}/connect-again`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(started.status).toBe(303);
    const link = new URL(started.headers.get('location')!);
    expect(link.pathname).toBe('/link');
    expect(link.searchParams.get('items')).toBe('item_000001543'); // ADP, as seeded
  });

  it('Plaid: the seeded ITEM_LOGIN_REQUIRED arrives as a verified JWT webhook; Reconnect goes through hosted Link update mode to the same Item', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.plaidLoginRequired;
    const broken = await app.service.getConnection(id);
    expect(broken).toMatchObject({ state: 'needs_reauth', vendor: { code: 'ITEM_LOGIN_REQUIRED' } });
    const start303 = await fetch(`${app.url}/reconnect/${id}/start?redirect=1`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(start303.status).toBe(303);
    const hostedLink = start303.headers.get('location')!;
    expect(hostedLink.startsWith(`${app.mocks.plaid}/hosted-link/`)).toBe(true);
    const page = await (await fetch(hostedLink)).text();
    const form = new URL(/action="([^"]+)"/.exec(page)![1]!, hostedLink);
    const login = await fetch(form, {
      method: 'POST',
      body: new URLSearchParams({ username: 'user_good', password: 'pass_good' }),
      redirect: 'manual',
    });
    const callback = login.headers.get('location')!;
    expect(callback.startsWith(`${app.url}/reconnect/callback?state=`)).toBe(true);
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(303);
    const after = await app.service.getConnection(id);
    expect(after).toMatchObject({ state: 'connected', upstreamId: broken.upstreamId });
  });

  it('Plaid: PENDING_EXPIRATION shows on the card as an early warning with its deadline, and Reconnect is offered', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.plaidHealthy;
    const demo = await fetch(`${app.url}/demo/connections/${id}/scenarios/plaid.pending_expiration`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(demo.status).toBe(303);
    const connection = await app.service.getConnection(id);
    expect(connection).toMatchObject({ state: 'connected', warning: { code: 'consent_expiring' } });
    const page = await (await fetch(app.url)).text();
    const card = page.slice(page.indexOf(`data-connection-id="${id}"`));
    expect(card.slice(0, card.indexOf('</article>'))).toContain('Access expires on <time');
    expect(card.slice(0, card.indexOf('</article>'))).toContain(`/reconnect/${id}/start`);
  });

  it('Plaid: a revoked Item is connected again as a new Item through hosted Link', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.plaidHealthy;
    const previous = await app.service.getConnection(id);
    await fetch(`${app.mocks.plaid}/__admin/scenarios/plaid.user_permission_revoked`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: previous.upstreamId }),
    });
    await fetch(`${app.mocks.plaid}/__admin/webhooks/flush`, { method: 'POST' });
    expect((await app.service.getConnection(id)).state).toBe('revoked');
    const again = await fetch(`${app.url}/connections/${id}/connect-again`, {
      method: 'POST',
      redirect: 'manual',
    });
    const hostedLink = again.headers.get('location')!;
    const page = await (await fetch(hostedLink)).text();
    const form = new URL(/action="([^"]+)"/.exec(page)![1]!, hostedLink);
    const login = await fetch(form, {
      method: 'POST',
      body: new URLSearchParams({
        institution_id: 'ins_109508',
        username: 'user_good',
        password: 'pass_good',
      }),
      redirect: 'manual',
    });
    expect((await fetch(login.headers.get('location')!, { redirect: 'manual' })).status).toBe(303);
    const successors = (await app.service.listConnections({ provider: 'plaid', hostUserId: 'dave' })).items;
    const successor = successors.find((c) => c.id !== id)!;
    expect(successor).toMatchObject({ state: 'connected' });
    expect(successor.upstreamId).not.toBe(previous.upstreamId);
  });

  it('Connect again for Finch opens Connect on the payroll provider; a refused code exchange is a clear error, not internal_error', async () => {
    const app = await start({ port: 0 });
    const id = app.seeded!.finchHealthy;
    await app.service.revoke(id);
    const started = await fetch(`${app.url}/connections/${id}/connect-again`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(started.status).toBe(303);
    const connect = new URL(started.headers.get('location')!);
    const state = connect.searchParams.get('state')!;
    expect(state).toBeTruthy();
    const back = await fetch(
      `${app.url}/connect-again/finch/return?state=${encodeURIComponent(state)}&code=not-a-code`,
      { redirect: 'manual' },
    );
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/?error=callback_invalid');
    const { items } = await app.service.listConnections({ hostUserId: 'erin' });
    expect(items.map((c) => c.id)).toEqual([id]);
  });

  it('streams connection events as server-sent events', async () => {
    const app = await start({ port: 0 });
    const controller = new AbortController();
    const stream = await fetch(`${app.url}/events`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const disconnect = await fetch(`${app.url}/connections/${app.seeded!.argyleHealthy}/disconnect`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(disconnect.status).toBe(303);
    let received = '';
    while (!received.includes('connection.disconnected')) received += (await reader.read()).value ?? '';
    expect(received).toContain("Dave Okafor's Argyle connection: Disconnected.");
    controller.abort();
  });
});
