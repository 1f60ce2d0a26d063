import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Connection, SqliteConnectionStore } from '@reconnect-kit/core';
import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import type { DeliveryRecord, RunningMockServer } from '@reconnect-kit/mock-engine';
import { FINCH_DEFAULT_CREDENTIALS, finchWebhookScheme, startFinchMock } from '@reconnect-kit/mock-finch';
import Finch from '@tryfinch/finch-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.js';
import { fixturePayloads } from './support/fuzz.js';
import { createHost, HOST_KEYS, listen } from './support/host.js';
import { Random } from './support/random.js';
import { SEED, scaled } from './support/scale.js';

/**
 * The mocks' own webhook dispatcher feeds the host, with its `duplicate` and `reorder` switches on. The
 * dispatcher's HTTP calls wait behind a gate until every scenario has queued its webhooks, so the reordering is
 * decided by the seeded random alone (reproducible). After the flush, the host must know what the vendor knows.
 */

// Scaled, with a floor: the duplicate and reorder switches are random, and a run of a handful of deliveries could
// see neither fire (the check that they did would then fail at small RELIABILITY_SCALE for the wrong reason).
const ROUNDS = Math.max(20, scaled(40));
const CONNECTIONS = 3;
const SWITCHES = { duplicate: 0.3, reorder: 0.5, retry_policy: { max_attempts: 1 } };

function gatedFetch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const fetchBehindGate: typeof fetch = async (input, init) => {
    await opened;
    return fetch(input, init);
  };
  return { fetch: fetchBehindGate, open };
}

async function admin<T>(mock: RunningMockServer<unknown>, method: string, route: string, body?: unknown) {
  const response = await fetch(`${mock.url}/__admin${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** The flush's delivery log, checked: every delivery answered 2xx, and the switches really fired. */
async function flushAndCheck(mock: RunningMockServer<unknown>, open: () => void): Promise<DeliveryRecord[]> {
  open();
  const { drained, deliveries } = await admin<{ drained: boolean; deliveries: DeliveryRecord[] }>(
    mock,
    'POST',
    '/webhooks/flush',
  );
  expect(drained).toBe(true);
  const queued = deliveries.filter((d) => d.status !== 'no_target');
  expect(queued.filter((d) => d.status !== 'delivered').map((d) => d.attempts.at(-1)?.status)).toEqual([]);
  expect(queued.some((d) => d.reordered)).toBe(true);
  expect(queued.some((d) => d.duplicate_of !== null)).toBe(true);
  return queued;
}

async function hostConnections(list: () => Promise<{ items: readonly Connection[] }>) {
  const { items } = await list();
  return new Map(items.map((connection) => [connection.upstreamId, connection]));
}

describe(`the mocks' dispatcher (duplicate + reorder switches) feeding the host (seed ${SEED})`, () => {
  const dir = mkdtempSync(path.join(scratchDir(), 'rk-dispatch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('Argyle', () => {
    const random = new Random(SEED);
    const gate = gatedFetch();
    const store = new SqliteConnectionStore(path.join(dir, 'argyle.db'));
    const host = createHost({ store });
    let server: Awaited<ReturnType<typeof listen>>;
    let mock: RunningMockServer<unknown>;

    beforeAll(async () => {
      server = await listen(host.app);
      mock = (await startArgyleMock({
        port: 0,
        random: () => random.next(),
        fetch: gate.fetch,
      })) as RunningMockServer<unknown>;
    });
    afterAll(async () => {
      await mock?.close();
      await server?.close();
      await store.close();
    });

    it(`${ROUNDS} account breaks across ${CONNECTIONS} accounts: every connection ends with the vendor's status`, async () => {
      const accounts: { id: string; user: string }[] = [];
      for (let i = 0; i < CONNECTIONS; i += 1) {
        const seeded = await admin<{ changed: { account: { id: string; user: string } } }>(
          mock,
          'POST',
          '/scenarios/argyle.seed_connected',
          {},
        );
        accounts.push(seeded.changed.account);
        await host.service.registerConnection({
          provider: 'argyle',
          hostUserId: `host_user_${i}`,
          upstreamId: seeded.changed.account.id,
          upstreamParentId: seeded.changed.account.user,
        });
      }
      await admin(mock, 'PUT', '/webhooks', {
        url: `${server.url}/webhooks/argyle`,
        secret: HOST_KEYS.argyleWebhookSecret,
        ...SWITCHES,
      });
      const breaks = [
        'argyle.auth_required',
        'argyle.expired_credentials',
        'argyle.system_error',
        'argyle.mfa_timeout',
      ];
      for (let round = 0; round < ROUNDS; round += 1) {
        // Every account changes at least once, so each has a vendor status to compare.
        const account = accounts[round < CONNECTIONS ? round : random.int(accounts.length)] as { id: string };
        await admin(mock, 'POST', `/scenarios/${breaks[random.int(breaks.length)]}`, { target: account.id });
        // Each change gets its own `updated_at` (the mock clock moves on).
        await admin(mock, 'POST', '/clock', { advance_ms: 1_000 });
      }
      await flushAndCheck(mock, gate.open);

      const connections = await hostConnections(() => host.service.listConnections({ provider: 'argyle' }));
      const basic = Buffer.from(
        `${DEFAULT_ARGYLE_CREDENTIALS.api_key_id}:${DEFAULT_ARGYLE_CREDENTIALS.api_key_secret}`,
      ).toString('base64');
      for (const account of accounts) {
        const truth = (await (
          await fetch(`${mock.url}/v2/accounts/${account.id}`, {
            headers: { authorization: `Basic ${basic}` },
          })
        ).json()) as { connection: { status: string; error_code: string | null } };
        expect(connections.get(account.id)?.vendor, account.id).toMatchObject({
          status: truth.connection.status,
          code: truth.connection.error_code,
        });
      }
    });
  });

  describe('Finch', () => {
    const random = new Random(SEED);
    const gate = gatedFetch();
    const store = new SqliteConnectionStore(path.join(dir, 'finch.db'));
    let host: ReturnType<typeof createHost>;
    let server: Awaited<ReturnType<typeof listen>>;
    let mock: RunningMockServer<unknown>;

    beforeAll(async () => {
      mock = (await startFinchMock({
        port: 0,
        random: () => random.next(),
        fetch: gate.fetch,
      })) as RunningMockServer<unknown>;
      host = createHost({
        store,
        finch: {
          baseUrl: mock.url,
          clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
          clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
          webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
        },
      });
      server = await listen(host.app);
    });
    afterAll(async () => {
      await mock?.close();
      await server?.close();
      await store.close();
    });

    it(`${ROUNDS} status changes across ${CONNECTIONS} connections (duplicates, reordering): every connection ends with the vendor's status`, async () => {
      const app = new Finch({
        clientID: FINCH_DEFAULT_CREDENTIALS.client_id,
        clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
        baseURL: mock.url,
      });
      const sandboxes: { connection_id: string; access_token: string }[] = [];
      for (let i = 0; i < CONNECTIONS; i += 1) {
        const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto' });
        sandboxes.push(sandbox);
        await host.service.registerConnection({
          provider: 'finch',
          hostUserId: `host_user_${i}`,
          upstreamId: sandbox.connection_id,
          upstreamParentId: sandbox.company_id ?? undefined,
          secrets: { access_token: sandbox.access_token },
        });
      }
      await admin(mock, 'PUT', '/webhooks', { url: `${server.url}/webhooks/finch`, ...SWITCHES });
      const statuses = ['reauth', 'connected', 'error_permissions'] as const;
      for (let round = 0; round < ROUNDS; round += 1) {
        // Each connection first leaves `connected` (the mock sends no webhook for an unchanged status), so every
        // connection has a vendor status to compare even in a short run.
        const first = round < CONNECTIONS;
        const sandbox = sandboxes[first ? round : random.int(sandboxes.length)] as (typeof sandboxes)[number];
        const status = first ? 'reauth' : statuses[random.int(statuses.length)];
        await app
          .withAccessToken(sandbox.access_token)
          .sandbox.connections.accounts.update({ connection_status: status });
        // No mock clock advance here: Finch orders by the signed delivery time, so a mock clock ahead of the host's
        // would date every webhook after the host's confirming status reads, and those reads would be ignored as
        // stale (a vendor/host clock skew the test is not about).
      }
      await flushAndCheck(mock, gate.open);
      // Reordered deliveries may apply an older status; the status reads confirming them put the truth back.
      await host.service.settle();

      const connections = await hostConnections(() => host.service.listConnections({ provider: 'finch' }));
      for (const sandbox of sandboxes) {
        const truth = await app.withAccessToken(sandbox.access_token).account.introspect();
        expect(connections.get(sandbox.connection_id)?.vendor?.status, sandbox.connection_id).toBe(
          truth.connection_status.status,
        );
      }
    });

    // Finch's account.updated body carries no event time, so the adapter orders signals by the signed
    // Finch-Timestamp, the time of the delivery ATTEMPT (the mock signs at send time, and a retry on real Finch is
    // signed anew): a delivery that overtakes an older one looks just as new, and the older status is applied. The
    // adapter therefore marks account.updated as a hint, and the service confirms it with a status read after the
    // commit. Deterministic: two deliveries, one second, the vendor's truth is `connected`.
    it('an older account.updated arriving after a newer one does not win: the status read confirms the truth', async () => {
      const app = new Finch({
        clientID: FINCH_DEFAULT_CREDENTIALS.client_id,
        clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
        baseURL: mock.url,
      });
      const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto' });
      const connection = await host.service.registerConnection({
        provider: 'finch',
        hostUserId: 'host_user_reordered',
        upstreamId: sandbox.connection_id,
        upstreamParentId: sandbox.company_id ?? undefined,
        secrets: { access_token: sandbox.access_token },
      });
      const about = { connection_id: sandbox.connection_id, company_id: sandbox.company_id };
      const [reauth, connected] = ['reauth', 'connected'].map((status) => ({
        ...(fixturePayloads('finch', `webhook-event.account-updated-${status}`)[0] as object),
        ...about,
      }));
      const sendAt = new Date();
      // The vendor's order: reauth, then connected. The wire order: connected, then reauth.
      for (const [eventId, body] of [
        ['msg_2newerConnectedAAAAAAAAAAAAA', connected],
        ['msg_1olderReauthAAAAAAAAAAAAAAAA', reauth],
      ] as const) {
        const bytes = finchWebhookScheme.serialize(body);
        const headers = finchWebhookScheme.sign({
          body: bytes,
          eventId,
          timestamp: sendAt,
          secret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
        });
        const answer = await fetch(`${server.url}/webhooks/finch`, {
          method: 'POST',
          headers,
          body: bytes as Uint8Array<ArrayBuffer>,
        });
        expect(answer.status).toBe(200);
      }
      await host.service.settle();
      expect(
        (await app.withAccessToken(sandbox.access_token).account.introspect()).connection_status.status,
      ).toBe('connected');
      expect(await host.service.getConnection(connection.id)).toMatchObject({
        state: 'connected',
        vendor: { status: 'connected' },
      });
    });
  });
});
