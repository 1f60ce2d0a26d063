import { request as httpRequest } from 'node:http';
import type { Connection } from '@reconnect-kit/core';
import { createReconnectRouter } from '@reconnect-kit/express';
import {
  DEFAULT_ARGYLE_CREDENTIALS,
  SANDBOX_USERS,
  signArgyleBody,
  startArgyleMock,
} from '@reconnect-kit/mock-argyle';
import type { RunningMockServer } from '@reconnect-kit/mock-engine';
import { FINCH_DEFAULT_CREDENTIALS, finchWebhookScheme, startFinchMock } from '@reconnect-kit/mock-finch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectedAccountId, enterMfa, logIn, openLink } from '../contract/argyle.test-helpers.js';
import { ARGYLE_WEBHOOK_SECRET, type SecurityHost, STORES, startHost } from './support/host.js';

/**
 * Issue 12 as an attacker runs it: the real express routers, the real adapters, the real Argyle and Finch mocks
 * over HTTP, on SQLite and on PostgreSQL (a random schema per test). One block per numbered finding; finding 6
 * (the mocks' own admin API) is in mock-admin.test.ts, finding 8's fuzzers in tests/reliability.
 */

const BASIC = `Basic ${Buffer.from(`${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`).toString('base64')}`;
const ALICE = 'session=alice';

let argyle: RunningMockServer<unknown>;
let finch: RunningMockServer<unknown>;

beforeAll(async () => {
  argyle = (await startArgyleMock({ port: 0, env: {} })) as RunningMockServer<unknown>;
  finch = (await startFinchMock({ port: 0, env: {} })) as RunningMockServer<unknown>;
});
afterAll(async () => {
  await argyle?.close();
  await finch?.close();
});

async function argyleAdmin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${argyle.url}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Argyle calls the host made since the journal was cleared, as `METHOD /path?query`. */
async function argyleCalls(): Promise<string[]> {
  const { requests } = await argyleAdmin<{
    requests: { method: string; path: string; query: Record<string, string> }[];
  }>('GET', '/requests');
  return requests
    .filter((entry) => entry.path.startsWith('/v2/'))
    .map((entry) => {
      const query = new URLSearchParams(entry.query).toString();
      return `${entry.method} ${entry.path}${query ? `?${query}` : ''}`;
    });
}

describe.each(STORES)('hostile callers against the host app ($name store)', (kind) => {
  let host: SecurityHost;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    const opened = await kind.open();
    dispose = opened.dispose;
    host = await startHost(opened.store, { argyleUrl: argyle.url, finchUrl: finch.url });
  });
  afterEach(async () => {
    await host?.close();
    await dispose?.();
  });

  /** Alice's Argyle connection, broken (needs_reauth) as the mock reports it. */
  async function aliceArgyle(): Promise<{ connection: Connection; accountId: string; userId: string }> {
    const seeded = await argyleAdmin<{ changed: { account_id: string; user_id: string } }>(
      'POST',
      '/scenarios/argyle.seed_connected',
      {},
    );
    const { account_id: accountId, user_id: userId } = seeded.changed;
    const registered = await host.service.registerConnection({
      provider: 'argyle',
      hostUserId: 'alice',
      upstreamId: accountId,
      upstreamParentId: userId,
    });
    await argyleAdmin('POST', '/scenarios/argyle.auth_required', { target: accountId });
    const connection = await host.service.checkStatus(registered.id);
    expect(connection.state).toBe('needs_reauth');
    return { connection, accountId, userId };
  }

  function start(connectionId: string, headers: Record<string, string> = {}) {
    return fetch(`${host.url}/reconnect/${connectionId}/start`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'application/json', cookie: ALICE, ...headers },
    });
  }

  /** Alice starts; the attacker reads the `state` off the Link URL (it travels in the browser). */
  async function liveState(connectionId: string): Promise<string> {
    const started = await start(connectionId);
    expect(started.status).toBe(200);
    const { action } = (await started.json()) as { action: { state: string } };
    return action.state;
  }

  async function callback(query: Record<string, string>): Promise<{ status: number; text: string }> {
    const response = await fetch(`${host.url}/reconnect/callback?${new URLSearchParams(query)}`, {
      headers: { accept: 'application/json' },
    });
    return { status: response.status, text: await response.text() };
  }

  describe('finding 1: a caller-chosen account_id cannot revoke a healthy connection', () => {
    it('an id that does not exist: outcome failed, the connection unchanged and still reconnectable', async () => {
      const alice = await aliceArgyle();
      const state = await liveState(alice.connection.id);
      const answer = await callback({ state, account_id: '019c0b40-0000-7000-8000-00000000dead' });
      expect(answer).toEqual({
        status: 200,
        text: JSON.stringify({ connectionId: alice.connection.id, outcome: 'failed' }),
      });
      const after = await host.service.getConnection(alice.connection.id);
      expect(after).toMatchObject({ state: 'needs_reauth', upstreamId: alice.accountId });
      expect((await start(alice.connection.id)).status).toBe(200);
    });
  });

  describe('finding 2: the callback reads nobody else’s account and answers an outcome code only', () => {
    it('another user’s account: never fetched with the host’s key, no foreign identity in the answer', async () => {
      const alice = await aliceArgyle();
      const bob = await argyleAdmin<{ changed: { account_id: string; user_id: string } }>(
        'POST',
        '/scenarios/argyle.seed_connected',
        {},
      );
      const state = await liveState(alice.connection.id);
      await argyleAdmin('DELETE', '/requests');
      const answer = await callback({ state, account_id: bob.changed.account_id });
      expect(answer.text).toBe(JSON.stringify({ connectionId: alice.connection.id, outcome: 'failed' }));
      expect(answer.text).not.toContain(bob.changed.user_id);
      expect(await argyleCalls()).toEqual([`GET /v2/accounts?user=${alice.userId}&limit=200`]);
      expect((await host.service.getConnection(alice.connection.id)).state).toBe('needs_reauth');
    });

    it('user_id is no yes/no oracle: the right and a wrong user id get the same answer', async () => {
      const alice = await aliceArgyle();
      const bob = await argyleAdmin<{ changed: { user_id: string } }>(
        'POST',
        '/scenarios/argyle.seed_connected',
        {},
      );
      const answers: string[] = [];
      for (const userId of [alice.userId, bob.changed.user_id]) {
        const state = await liveState(alice.connection.id);
        answers.push((await callback({ state, account_id: alice.accountId, user_id: userId })).text);
      }
      expect(answers[1]).toBe(answers[0]);
      expect(answers[0]).toBe(JSON.stringify({ connectionId: alice.connection.id, outcome: 'failed' }));
    });
  });

  describe('the state: single use, superseded by a newer start, optionally bound to the session', () => {
    it('a used state answers state_used and changes nothing', async () => {
      const alice = await aliceArgyle();
      const state = await liveState(alice.connection.id);
      expect((await callback({ state })).status).toBe(200);
      const before = await host.service.getConnection(alice.connection.id);
      const again = await callback({ state });
      expect(again.status).toBe(409);
      expect(JSON.parse(again.text)).toMatchObject({ error: { code: 'state_used' } });
      expect(await host.service.getConnection(alice.connection.id)).toEqual(before);
    });

    it('an older state after a newer start answers state_superseded and changes nothing', async () => {
      const alice = await aliceArgyle();
      const older = await liveState(alice.connection.id);
      await liveState(alice.connection.id);
      const before = await host.service.getConnection(alice.connection.id);
      const answer = await callback({ state: older, account_id: '019c0b40-0000-7000-8000-00000000dead' });
      expect(answer.status).toBe(409);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'state_superseded' } });
      expect(await host.service.getConnection(alice.connection.id)).toEqual(before);
    });

    it('with session binding, a callback from another browser session is refused before anything is read', async () => {
      const opened = await kind.open();
      const unbound = host;
      // The helpers above talk to `host`: point them at a host that binds states to the `sid` cookie.
      host = await startHost(
        opened.store,
        { argyleUrl: argyle.url, finchUrl: finch.url },
        { bindSessions: true },
      );
      try {
        const alice = await aliceArgyle();
        const started = await start(alice.connection.id, { cookie: `${ALICE}; sid=alice-browser` });
        const { action } = (await started.json()) as { action: { state: string } };
        await argyleAdmin('DELETE', '/requests');
        const stolen = await fetch(
          `${host.url}/reconnect/callback?state=${encodeURIComponent(action.state)}`,
          {
            headers: { accept: 'application/json', cookie: 'sid=attacker-browser' },
          },
        );
        expect(stolen.status).toBe(403);
        expect(await stolen.json()).toMatchObject({ error: { code: 'state_session_mismatch' } });
        expect(await argyleCalls()).toEqual([]);
        expect((await host.service.getConnection(alice.connection.id)).state).toBe('reconnecting');
      } finally {
        await host.close();
        host = unbound;
        await opened.dispose();
      }
    });
  });

  describe('finding 3: a successor is attached only by evidence that names its user', () => {
    async function finchWebhook(connectionId: string, companyId: string, status: string, eventId: string) {
      const body = finchWebhookScheme.serialize({
        company_id: companyId,
        account_id: connectionId,
        connection_id: connectionId,
        entity_id: null,
        event_type: 'account.updated',
        data: { status, authentication_method: { type: 'credential' } },
      });
      const headers = finchWebhookScheme.sign({
        body,
        eventId,
        timestamp: new Date(),
        secret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
      });
      const response = await fetch(`${host.url}/hooks/webhooks/finch`, {
        method: 'POST',
        headers,
        body: body as Uint8Array<ArrayBuffer>,
      });
      expect(response.status).toBe(200);
    }

    it('Finch: a new connection of alice’s company after her revocation stays unassigned; bob registers it', async () => {
      const company = '720be419-0293-4d32-a707-32179b0827ab';
      const alice = await host.service.registerConnection({
        provider: 'finch',
        hostUserId: 'alice',
        upstreamId: 'conn-alice',
        upstreamParentId: company,
      });
      await finchWebhook('conn-alice', company, 'disconnected', 'msg_aliceRevokedAAAAAAAAAAAAAAAA');
      expect((await host.service.getConnection(alice.id)).state).toBe('revoked');

      await finchWebhook('conn-bob', company, 'connected', 'msg_bobConnectedAAAAAAAAAAAAAAAA');
      const { items } = await host.service.listConnections({ provider: 'finch' });
      expect(items.map((connection) => [connection.upstreamId, connection.hostUserId])).toEqual([
        ['conn-alice', 'alice'],
      ]);
      const bob = await host.service.registerConnection({
        provider: 'finch',
        hostUserId: 'bob',
        upstreamId: 'conn-bob',
        upstreamParentId: company,
      });
      expect(bob.hostUserId).toBe('bob');
    });

    it('Argyle: a new account under alice’s own Argyle user after revocation is hers', async () => {
      const alice = await aliceArgyle();
      const deliver = async (event: string, account: string) => {
        const body = new TextEncoder().encode(
          JSON.stringify({ event, name: 'hooks', data: { account, user: alice.userId } }),
        );
        const response = await fetch(`${host.url}/hooks/webhooks/argyle`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-Argyle-Signature': signArgyleBody(body, ARGYLE_WEBHOOK_SECRET),
          },
          body,
        });
        expect(response.status).toBe(200);
      };
      await deliver('accounts.removed', alice.accountId);
      expect((await host.service.getConnection(alice.connection.id)).state).toBe('revoked');
      await deliver('accounts.connected', '019c0b40-0000-7000-8000-0000000000a2');
      await host.service.settle();
      const { items } = await host.service.listConnections({ provider: 'argyle' });
      expect(
        items.find((connection) => connection.upstreamId === '019c0b40-0000-7000-8000-0000000000a2'),
      ).toMatchObject({
        hostUserId: 'alice',
        previousConnectionId: alice.connection.id,
      });
    });
  });

  describe('finding 4: no cross-site starts, and re-sends are rate-limited', () => {
    async function aliceInvite(): Promise<{ connection: Connection; inviteId: string }> {
      const created = await fetch(`${argyle.url}/v2/invites`, {
        method: 'POST',
        headers: { authorization: BASIC, 'content-type': 'application/json' },
        body: JSON.stringify({ first_name: 'Alice', last_name: 'Smith', email: 'alice@example.com' }),
      });
      const invite = (await created.json()) as { id: string; user: string; url: string };
      const user = SANDBOX_USERS[0]!;
      const login = await logIn(await openLink(invite.url), user.username, 'passgood', 'item_000029932');
      const accountId = connectedAccountId(await enterMfa(login, user.mfaCode));
      const connection = await host.service.registerConnection({
        provider: 'argyle',
        hostUserId: 'alice',
        upstreamId: accountId,
        upstreamParentId: invite.user,
        metadata: { invite_id: invite.id },
      });
      await argyleAdmin('DELETE', '/requests');
      return { connection, inviteId: invite.id };
    }

    it('ten cross-site form posts re-send nothing; an eleventh same-site re-send within the hour is 429', async () => {
      const { connection, inviteId } = await aliceInvite();
      for (let i = 0; i < 10; i += 1) {
        const forged = await start(connection.id, {
          accept: 'text/html',
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
        });
        expect(forged.status).toBe(303);
        expect(forged.headers.get('location')).toBe(
          `${host.url}/settings?connection=${connection.id}&error=cross_site_request`,
        );
      }
      expect(await argyleCalls()).toEqual([]);

      for (let i = 0; i < 10; i += 1) {
        expect(
          (await start(connection.id, { origin: host.url, 'sec-fetch-site': 'same-origin' })).status,
        ).toBe(200);
      }
      const eleventh = await start(connection.id, { origin: host.url, 'sec-fetch-site': 'same-origin' });
      expect(eleventh.status).toBe(429);
      expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(3500);
      expect(await eleventh.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect(await argyleCalls()).toEqual(Array(10).fill(`POST /v2/invites/${inviteId}`));
    });
  });

  describe('finding 5: aborts are not errors; authorize is required', () => {
    it('a client hanging up mid-upload is client_aborted at info, without a stack', async () => {
      const { port } = new URL(host.url);
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/hooks/webhooks/argyle',
        headers: { 'content-length': '5000' },
      });
      req.on('error', () => {});
      req.write('{"event":');
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      // The server notices the hang-up on its own schedule; a loaded machine needs longer than poll's 1 s default.
      await expect.poll(() => host.logs.length, { timeout: 10_000 }).toBe(1);
      expect(host.logs).toEqual([
        {
          level: 'info',
          message: 'reconnect-kit: the client aborted the request',
          fields: { route: 'webhook', provider: 'argyle', code: 'client_aborted' },
        },
      ]);
    });

    it('a router without authorize fails when built, not on every start', () => {
      expect(() =>
        createReconnectRouter(host.service, { returnUrl: '/settings' } as Parameters<
          typeof createReconnectRouter
        >[1]),
      ).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    });
  });

  describe('finding 8: forged webhooks are refused for both providers', () => {
    it.each(['argyle', 'finch'])('%s: an unsigned delivery is 401 and stores nothing', async (provider) => {
      const before = await host.service.listConnections({});
      const response = await fetch(`${host.url}/hooks/webhooks/${provider}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'accounts.removed', data: { account: 'x', user: 'y' } }),
      });
      expect(response.status).toBe(401);
      expect(await host.service.listConnections({})).toEqual(before);
    });
  });
});

describe('finding 7: the SQLite file store syncs every commit (an acknowledged webhook survives power loss)', () => {
  it('reports synchronous=full in WAL mode by default', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { SqliteConnectionStore } = await import('@reconnect-kit/core');
    const dir = mkdtempSync(join(tmpdir(), 'rk-security-'));
    const store = new SqliteConnectionStore(join(dir, 'host.db'));
    try {
      expect(store.durability).toMatchObject({ journalMode: 'wal', synchronous: 'full' });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
