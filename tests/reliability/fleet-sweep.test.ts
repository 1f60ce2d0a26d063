import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerArgyle } from '@reconnect-kit/argyle';
import { RECONNECTION_SERVICE, type ReconnectionService, registerReconnectKit } from '@reconnect-kit/core';
import { busiestSecond, TEST_SECRET_BOX, TEST_STATE_SIGNING_KEY } from '@reconnect-kit/core/testing';
import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import { createPostgresStore, type PostgresConnectionStore } from '@reconnect-kit/store-postgres';
import { Pool } from 'pg';
import { container } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, startChild } from './support/child.js';
import { type CompiledTree, compileHost, DATABASE_URL, randomSchemaName } from './support/processes.js';

const ACCOUNTS = 48;
const BUDGET_PER_SECOND = 12;
// Long enough that a survivor finishes a claimed batch (4 calls within a shared budget) before its lease ends, even
// on a loaded test machine: the sweeper does not renew claim leases (see docs/operations.md, Running a fleet).
const LEASE_MS = 6_000;
const INSTANCES = 3;
const FLEET_CHILD = new URL('./support/fleet-child.ts', import.meta.url);

describe('a fleet of processes sweeping one PostgreSQL schema, one of them killed mid-sweep', () => {
  const schema = randomSchemaName('rk_fleet');
  let tree: CompiledTree;
  let mock: Awaited<ReturnType<typeof startArgyleMock>>;
  let store: PostgresConnectionStore;
  const accounts: { account: string; user: string }[] = [];

  beforeAll(async () => {
    tree = compileHost();
    mock = await startArgyleMock({ port: 0 });
    const scenario = async (id: string, body: unknown) => {
      const response = await fetch(`${mock.url}/__admin/scenarios/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${id}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { changed: { account_id: string; user_id: string } };
    };
    for (let i = 0; i < ACCOUNTS; i += 1) {
      const { changed } = await scenario('argyle.seed_connected', {});
      await scenario('argyle.auth_required', { target: changed.account_id });
      accounts.push({ account: changed.account_id, user: changed.user_id });
    }
    store = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    const scope = container.createChildContainer();
    registerReconnectKit(scope, {
      stateSigningKey: TEST_STATE_SIGNING_KEY,
      secretBox: TEST_SECRET_BOX,
      store,
    });
    registerArgyle(scope, {
      apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
      apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
      baseUrl: `${mock.url}/v2`,
      webhookSecret: 'fleet-webhook-secret',
      linkUrl: `${mock.url}/link`,
    });
    const service = scope.resolve<ReconnectionService>(RECONNECTION_SERVICE);
    for (const [index, { account, user }] of accounts.entries()) {
      await service.registerConnection({
        provider: 'argyle',
        hostUserId: `user_${index}`,
        upstreamId: account,
        upstreamParentId: user,
        state: 'needs_reauth',
      });
    }
    await fetch(`${mock.url}/__admin/requests`, { method: 'DELETE' });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await mock?.close();
    const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  /** Status reads at the mock: account id → times (ms). */
  async function statusReads(): Promise<Map<string, number[]>> {
    const response = await fetch(`${mock.url}/__admin/requests?method=GET`);
    const { requests } = (await response.json()) as { requests: { path: string; time: string }[] };
    const reads = new Map<string, number[]>();
    for (const request of requests) {
      const match = /^\/v2\/accounts\/([^/]+)$/.exec(request.path);
      if (!match?.[1]) continue;
      reads.set(match[1], [...(reads.get(match[1]) ?? []), Date.parse(request.time)]);
    }
    return reads;
  }

  it('checks every due connection, at most the killed one’s in-flight checks twice, within the fleet budget', async () => {
    const callLogs = mkdtempSync(join(tmpdir(), 'rk-fleet-calls-'));
    const callLog = (index: number) => join(callLogs, `instance-${index}.log`);
    const children: ChildProcess[] = Array.from({ length: INSTANCES }, (_, index) =>
      startChild(tree, FLEET_CHILD, {
        RK_CALL_LOG: callLog(index),
        DATABASE_URL,
        RK_SCHEMA: schema,
        RK_ARGYLE_URL: mock.url,
        RK_ARGYLE_KEY_ID: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
        RK_ARGYLE_KEY_SECRET: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
        RK_BUDGET_RATE: String(BUDGET_PER_SECOND),
        RK_INTERVAL_MS: String(10 * 60_000),
        RK_LEASE_MS: String(LEASE_MS),
      }),
    );
    try {
      for (const child of children) expect(await child.read()).toEqual({ ready: true });
      // Mid-sweep: a quarter of the accounts read at the mock, then one instance dies with its claims.
      for (let total = 0; total < ACCOUNTS / 4; ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        total = [...(await statusReads()).values()].reduce((sum, times) => sum + times.length, 0);
      }
      await children[0]?.crash();
      // The survivors finish, taking over the dead instance's claims once their lease has passed.
      let reads = await statusReads();
      for (let round = 0; reads.size < ACCOUNTS && round < 600; round += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        reads = await statusReads();
      }
      // Let any wrong second check of the interval show up.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 1_000));
      reads = await statusReads();

      expect(reads.size).toBe(ACCOUNTS);
      const twice = [...reads.values()].filter((times) => times.length > 1);
      // Only checks the killed instance had in flight (concurrency 2) may have reached the vendor and then be
      // redone after its lease; everything else is checked exactly once in the interval.
      expect(twice.length).toBeLessThanOrEqual(2);
      expect([...reads.values()].every((times) => times.length <= 2)).toBe(true);
      // The budget holds for the fleet, the dead instance included: no second sees more call starts than the rate.
      // (Counted where the budget acts. The mock's journal times add each request's trip to the mock, which on a
      // machine running other suites at once can bunch arrivals by more than any client-side limiter controls.)
      // (An instance that never got a slot made no call and wrote no file.)
      const starts = Array.from({ length: INSTANCES }, (_, index) =>
        existsSync(callLog(index))
          ? readFileSync(callLog(index), 'utf8').split('\n').filter(Boolean).map(Number)
          : [],
      ).flat();
      // Every read the mock saw was started by an instance (the killed one may have started one that never arrived).
      expect(starts.length).toBeGreaterThanOrEqual([...reads.values()].flat().length);
      expect(busiestSecond(starts)).toBeLessThanOrEqual(BUDGET_PER_SECOND);
    } finally {
      for (const child of children.slice(1)) await child.stop().catch(() => undefined);
      rmSync(callLogs, { recursive: true, force: true });
    }
  });
});
