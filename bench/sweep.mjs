/**
 * Figure 5: `service.sweep` over 100,000 stored connections against the Argyle mock (its own process). The
 * sweep re-checks the connections in problem states (its default); those are real mock accounts that the
 * payroll site logged out, the rest are healthy and only paged past. Every vendor call goes through a recording
 * fetch, so the rate is measured on the wire, not taken from the limiter's word: no one-second window may hold
 * more calls than the configured rate. RSS is sampled all along; its growth over the pre-sweep level must stay
 * under 50 MB (pages are read one at a time, so memory must not grow with the fleet).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeArgyleService } from './lib/compose.mjs';
import { startServer } from './lib/http-load.mjs';
import { importBuilt } from './lib/packages.mjs';
import { figure } from './lib/stats.mjs';

// The tests' own count of a vendor's second (core's testing entry), so bench and tests judge a rate alike.
const { busiestSecond } = await importBuilt('core', 'dist/testing/rate.js');

const STORED = Number(process.env.BENCH_SWEEP_STORED ?? 100_000);
/** Problem-state connections, i.e. vendor calls; bounded by how fast the mock can be seeded and the run budget. */
const BROKEN = Number(process.env.BENCH_SWEEP_BROKEN ?? 2_000);
const RATE_PER_SECOND = 400;
const CONCURRENCY = 8;
const INSERT_BATCH = 10_000;
const MB = 1024 * 1024;

/** The stored rows, as the service writes them; every `STORED / BROKEN`-th one is a logged-out mock account. */
function fleet(brokenAccounts) {
  const spacing = Math.floor(STORED / brokenAccounts.length);
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  return Array.from({ length: STORED }, (_, index) => {
    const broken = index % spacing === 0 ? brokenAccounts[index / spacing] : undefined;
    const at = new Date(start + index).toISOString();
    return {
      id: `conn_${randomUUID()}`,
      provider: 'argyle',
      hostUserId: `host-user-${index}`,
      upstreamId: broken?.account ?? randomUUID(),
      upstreamParentId: broken?.user ?? randomUUID(),
      metadata: {},
      state: broken ? 'needs_reauth' : 'connected',
      createdAt: at,
      updatedAt: at,
      stateChangedAt: at,
      version: 1,
    };
  });
}

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  let mock;
  try {
    const accountsFile = join(dir, 'accounts.json');
    const seedStartedAt = performance.now();
    mock = await startServer('mock-server.mjs', ['argyle-fleet', String(BROKEN), accountsFile]);
    const brokenAccounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
    log(
      `  mock seeded with ${brokenAccounts.length} logged-out accounts in ${Math.round(performance.now() - seedStartedAt)} ms`,
    );

    const calls = [];
    const recordingFetch = (input, init) => {
      calls.push(performance.now());
      return fetch(input, init);
    };
    const { service, store } = await composeArgyleService({
      store: { kind: 'sqlite', path: ':memory:' },
      argyleUrl: mock.url,
      fetch: recordingFetch,
    });
    if (typeof service.sweep !== 'function') throw new Error('the built ReconnectionService has no sweep()');
    const rows = fleet(brokenAccounts);
    for (let from = 0; from < rows.length; from += INSERT_BATCH) {
      await store.transaction(async (tx) => {
        for (const row of rows.slice(from, from + INSERT_BATCH)) await tx.insertConnection(row);
      });
    }
    rows.length = 0;
    log(`  ${STORED} connections stored, ${brokenAccounts.length} of them needs_reauth`);

    // Warm the HTTP path (sockets, JIT) on a few connections, so RSS growth is the sweep's, not first-use cost.
    const page = await service.listConnections({ states: ['needs_reauth'], limit: 20 });
    for (const connection of page.items) await service.checkStatus(connection.id);
    calls.length = 0;

    globalThis.gc?.();
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, 20);
    const sweepStartedAt = performance.now();
    let result;
    try {
      result = await service.sweep({ ratePerSecond: RATE_PER_SECOND, concurrency: CONCURRENCY });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - sweepStartedAt) / 1000;
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    await store.close();
    if (result.checked !== brokenAccounts.length || result.failed !== 0) {
      throw new Error(
        `the sweep checked ${result.checked} and failed ${result.failed} of ${brokenAccounts.length}`,
      );
    }
    if (calls.length !== brokenAccounts.length) {
      throw new Error(`${calls.length} vendor calls for ${brokenAccounts.length} checks`);
    }
    const busiest = busiestSecond(calls);
    const growthMb = (rssPeak - rssBefore) / MB;
    log(
      `  ${result.checked} checked in ${seconds.toFixed(1)} s, busiest second ${busiest} calls, RSS +${growthMb.toFixed(1)} MB`,
    );
    const workload = `${STORED} stored connections (SQLite :memory: store), ${brokenAccounts.length} of them needs_reauth on logged-out mock accounts, the rest connected (not due for a check); sweep({ ratePerSecond: ${RATE_PER_SECOND}, concurrency: ${CONCURRENCY} }), default states; ${result.checked} checks in ${seconds.toFixed(1)} s (${Math.round(result.checked / seconds)}/s achieved).`;
    return [
      figure({
        id: 'sweep.rate',
        title: 'Sweep: busiest second vs configured rate',
        unit: 'calls/s',
        baseline: { label: 'configured ratePerSecond', samples: [RATE_PER_SECOND] },
        subject: {
          label: 'most vendor calls started in any 1 s window (recorded at the fetch)',
          samples: [busiest],
        },
        target: { op: '<=', value: 1 },
        notes: workload,
      }),
      figure({
        id: 'sweep.rss',
        title: 'Sweep: RSS growth',
        unit: 'MB',
        subject: {
          label: 'peak RSS during the sweep minus RSS before it (sampled every 20 ms)',
          samples: [growthMb],
        },
        target: { op: '<', value: 50 },
        absolute: true,
        notes: `RSS before the sweep ${Math.round(rssBefore / MB)} MB (store already filled), peak ${Math.round(rssPeak / MB)} MB. ${workload}`,
      }),
    ];
  } finally {
    await mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
