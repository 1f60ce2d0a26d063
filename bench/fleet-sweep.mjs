/**
 * Fleet sweep figures on PostgreSQL (`@reconnect-kit/store-postgres`, a schema of its own, dropped afterwards):
 * - `fleet.sweep.rate`: four instances run `service.startSweeper` over the stored connections against the Argyle
 *   mock (its own process) under one `PostgresVendorBudget`; every vendor call is recorded at a shared recording
 *   fetch (the wire, not the limiter's word): the busiest second divided by the budget must stay ≤ 1, and every
 *   due connection must be checked exactly once in the interval (`fleet.sweep.once`).
 * The instances are services in this one process (each with its own pool, store and budget object): every
 * coordination between them goes through PostgreSQL, exactly as between processes.
 *
 *   BENCH_FLEET_STORED (default 100000)  stored connections
 *   BENCH_FLEET_BROKEN (default 2000)    of them logged out at the mock (the due ones)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeArgyleService } from './lib/compose.mjs';
import { startServer } from './lib/http-load.mjs';
import { importBuilt, importDependencyOf } from './lib/packages.mjs';
import { figure } from './lib/stats.mjs';

// The tests' own count of a vendor's second (core's testing entry), so bench and tests judge a rate alike.
const { busiestSecond } = await importBuilt('core', 'dist/testing/rate.js');

const CONNECTION_STRING = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STORED = Number(process.env.BENCH_FLEET_STORED ?? 100_000);
const BROKEN = Number(process.env.BENCH_FLEET_BROKEN ?? 2_000);
const INSTANCES = 4;
const BUDGET_PER_SECOND = 400;

async function insertFleet(pool, schema, brokenAccounts) {
  const spacing = Math.floor(STORED / brokenAccounts.length);
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let from = 0; from < STORED; from += 10_000) {
    const rows = [];
    for (let index = from; index < Math.min(STORED, from + 10_000); index += 1) {
      const broken = index % spacing === 0 ? brokenAccounts[index / spacing] : undefined;
      const at = new Date(start + index).toISOString();
      rows.push({
        id: `conn_${String(index).padStart(7, '0')}`,
        provider: 'argyle',
        hostUserId: `host-user-${index}`,
        upstreamId: broken?.account ?? `healthy-${index}`,
        upstreamParentId: broken?.user ?? `healthy-user-${index}`,
        metadata: {},
        state: broken ? 'needs_reauth' : 'connected',
        createdAt: at,
        updatedAt: at,
        stateChangedAt: at,
        version: 1,
      });
    }
    await pool.query(
      `INSERT INTO "${schema}".connections (id, provider, host_user_id, upstream_id, upstream_parent_id, state,
         live, created_at, version, body)
       SELECT r->>'id', 'argyle', r->>'hostUserId', r->>'upstreamId', r->>'upstreamParentId', r->>'state', true,
         (r->>'createdAt')::timestamptz, 1, r FROM jsonb_array_elements($1::jsonb) AS r`,
      [JSON.stringify(rows)],
    );
  }
}

async function sweepFigures({ log, schema, pg, storePostgres, dir }) {
  const accountsFile = join(dir, 'accounts.json');
  const mock = await startServer('mock-server.mjs', ['argyle-fleet', String(BROKEN), accountsFile]);
  const closers = [() => mock.stop()];
  try {
    const brokenAccounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
    const admin = new pg.Pool({ connectionString: CONNECTION_STRING, max: 1 });
    closers.push(() => admin.end());
    await insertFleet(admin, schema, brokenAccounts);
    log(`  ${STORED} connections stored, ${brokenAccounts.length} of them needs_reauth`);

    const calls = [];
    const recordingFetch = (input, init) => {
      const match = /\/v2\/accounts\/([^/?]+)/.exec(String(input instanceof Request ? input.url : input));
      if (match) calls.push({ at: performance.now(), account: match[1] });
      return fetch(input, init);
    };
    const instances = [];
    for (let i = 0; i < INSTANCES; i += 1) {
      const store = await storePostgres.createPostgresStore({
        connectionString: CONNECTION_STRING,
        schema,
        migrate: false,
      });
      const budgetPool = new pg.Pool({ connectionString: CONNECTION_STRING, max: 4 });
      closers.push(
        () => store.close(),
        () => budgetPool.end(),
      );
      const vendorBudget = new storePostgres.PostgresVendorBudget({
        pool: budgetPool,
        schema,
        ratesPerSecond: { argyle: BUDGET_PER_SECOND },
      });
      const { service } = await composeArgyleService({
        store,
        argyleUrl: mock.url,
        fetch: recordingFetch,
        vendorBudget,
      });
      instances.push(service);
    }
    const startedAt = performance.now();
    const sweepers = instances.map((service) =>
      service.startSweeper({
        intervalMs: 3_600_000,
        batchSize: 50,
        concurrency: 8,
        ratePerSecond: 10_000, // the fleet budget is the limit
        pollMs: 500,
      }),
    );
    const deadline = startedAt + 60_000;
    while (
      new Set(calls.map((c) => c.account)).size < brokenAccounts.length &&
      performance.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - startedAt) / 1000;
    // Anything checked a second time in the interval would show up meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await Promise.all(sweepers.map((sweeper) => sweeper.stop()));
    const perAccount = new Map();
    for (const call of calls) perAccount.set(call.account, (perAccount.get(call.account) ?? 0) + 1);
    const notOnce = brokenAccounts.filter(({ account }) => perAccount.get(account) !== 1).length;
    const busiest = busiestSecond(calls.map((c) => c.at));
    log(
      `  ${calls.length} calls for ${brokenAccounts.length} due connections in ${seconds.toFixed(1)} s, busiest second ${busiest}, not checked exactly once: ${notOnce}`,
    );
    const notes = `${INSTANCES} instances (services on their own pools, in one process) running startSweeper({ batchSize: 50, concurrency: 8 }) over ${STORED} stored connections, ${brokenAccounts.length} of them needs_reauth on logged-out Argyle mock accounts (mock in its own process); one PostgresVendorBudget of ${BUDGET_PER_SECOND}/s for argyle; calls recorded at a fetch shared by all instances; ${calls.length} calls in ${seconds.toFixed(1)} s.`;
    return [
      figure({
        id: 'fleet.sweep.rate',
        title: 'Fleet sweep: busiest second vs the fleet budget',
        unit: 'calls/s',
        baseline: { label: 'PostgresVendorBudget ratesPerSecond.argyle', samples: [BUDGET_PER_SECOND] },
        subject: { label: 'most vendor calls started in any 1 s window, all instances', samples: [busiest] },
        target: { op: '<=', value: 1 },
        notes,
      }),
      figure({
        id: 'fleet.sweep.once',
        title: 'Fleet sweep: due connections not checked exactly once',
        unit: 'connections',
        subject: { label: 'due connections with 0 or 2+ status reads in the interval', samples: [notOnce] },
        target: { op: '<', value: 1 },
        absolute: true,
        notes,
      }),
    ];
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

export async function run({ log }) {
  const schema = `bench_fleet_${process.pid}_${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const pg = await importDependencyOf('store-postgres', 'pg');
  const storePostgres = await importBuilt('store-postgres');
  const migrator = await storePostgres.createPostgresStore({ connectionString: CONNECTION_STRING, schema });
  try {
    return await sweepFigures({ log, schema, pg, storePostgres, dir });
  } finally {
    await migrator.close();
    const admin = new pg.Pool({ connectionString: CONNECTION_STRING, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
