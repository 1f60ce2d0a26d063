import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type ConnectionStore, SqliteConnectionStore } from '@reconnect-kit/core';
import { createPostgresStore } from '@reconnect-kit/store-postgres';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../scratch-dir.js';
import { startChild } from './support/child.js';
import { createHost } from './support/host.js';
import {
  inboundEventIds,
  postgresReader,
  sqliteReader,
  storeInvariantViolations,
  type TableReader,
} from './support/inspect.js';
import {
  CHILD_HOST,
  type CompiledTree,
  compileHost,
  DATABASE_URL,
  randomSchemaName,
} from './support/processes.js';
import { SEED, scaled } from './support/scale.js';
import { type Answer, sendQueues } from './support/send.js';
import { buildStorm, referenceOf, type StormDelivery } from './support/storm.js';
import { registerStormAccounts, stormOutcomeProblems } from './support/storm-checks.js';

/** The host is killed once this share of the storm has been answered. */
const KILL_AFTER = 0.4;
/** The restarted host's clock runs this far ahead: past the dead process's outbox leases (30 s). */
const RESTART_CLOCK_OFFSET_MS = 60_000;

interface StoreUnderTest {
  /** Storm size: each PostgreSQL ingest is several round trips, so its storm is smaller. */
  readonly deliveries: number;
  /** Environment that makes a child host open this store. */
  readonly env: Record<string, string>;
  /** Opens the store in the test process (to register the storm's connections before any child runs). */
  open(): Promise<ConnectionStore>;
  reader(): TableReader;
  cleanup(): Promise<void>;
}

let tree: CompiledTree;
const scratch = mkdtempSync(path.join(scratchDir(), 'rk-crash-'));

beforeAll(() => {
  tree = compileHost();
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function sqliteStore(): StoreUnderTest {
  const file = path.join(scratch, 'host.db');
  return {
    deliveries: scaled(2_000),
    env: { RK_STORE: 'sqlite', RK_SQLITE_PATH: file },
    open: async () => new SqliteConnectionStore(file),
    reader: () => sqliteReader(file),
    cleanup: async () => {},
  };
}

function postgresStore(): StoreUnderTest {
  const schema = randomSchemaName('rk_crash');
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  return {
    deliveries: scaled(600),
    env: { RK_STORE: 'postgres', DATABASE_URL, RK_SCHEMA: schema },
    open: () => createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 2 }),
    reader: () => postgresReader(pool, schema),
    cleanup: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/** Deliveries the vendor would retry: from each lane's first unanswered one (the host died there) on. */
function unanswered(queues: readonly (readonly StormDelivery[])[], answers: readonly (readonly Answer[])[]) {
  return queues.map((queue, q) => {
    const lane = answers[q] ?? [];
    const firstMissing = lane.findIndex((answer) => answer.status === 0);
    return queue.slice(firstMissing < 0 ? lane.length : firstMissing);
  });
}

describe.each([
  ['node:sqlite file', sqliteStore],
  ['PostgreSQL schema', postgresStore],
])('kill -9 of the host mid-storm, restart on the same %s', (_name, makeStore) => {
  const store = makeStore();
  afterAll(() => store.cleanup());

  it(`every 2xx delivery is applied, the outbox delivers every event at least once, nothing is corrupted (seed ${SEED})`, async () => {
    const storm = buildStorm({ deliveries: store.deliveries, accounts: 24, senders: 8, seed: SEED });
    const reference = referenceOf(storm);
    const setup = await store.open();
    await registerStormAccounts(createHost({ store: setup }).service, storm);
    await setup.close();

    const deliveryLog = path.join(scratch, `${store.env.RK_STORE}-deliveries.log`);
    const first = startChild(tree, CHILD_HOST, { ...store.env, RK_DELIVERY_LOG: deliveryLog });
    const { url } = await first.read<{ url: string }>();
    let answered = 0;
    let crashed: Promise<void> | undefined;
    const answers = await sendQueues(`${url}/webhooks/argyle`, storm.queues, (_q, _i, answer) => {
      if (answer.status === 0) return false;
      answered += 1;
      if (!crashed && answered >= storm.total * KILL_AFTER) crashed = first.crash();
      return true;
    });
    await crashed;
    const acknowledged = storm.queues.flatMap((queue, q) =>
      queue.filter((_d, i) => (answers[q]?.[i]?.status ?? 0) >= 200 && (answers[q]?.[i]?.status ?? 0) < 300),
    );
    const retries = unanswered(storm.queues, answers);
    // The kill really landed mid-storm.
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(retries.flat().length).toBeGreaterThan(0);

    const second = startChild(tree, CHILD_HOST, {
      ...store.env,
      RK_DELIVERY_LOG: deliveryLog,
      RK_CLOCK_OFFSET_MS: String(RESTART_CLOCK_OFFSET_MS),
    });
    const reader = store.reader();
    try {
      const restarted = await second.read<{ url: string }>();
      const inbound = await inboundEventIds(reader, 'argyle');
      const lost = acknowledged.filter((delivery) => !inbound.has(delivery.eventId ?? ''));
      expect(
        lost.map((d) => d.eventId),
        'acknowledged but not stored',
      ).toEqual([]);

      // The vendor retries what was never answered; the restarted host must take them all.
      const retried = await sendQueues(`${restarted.url}/webhooks/argyle`, retries);
      const statuses = retried.flat().map((answer) => answer.status);
      const expectedStatuses = retries
        .flat()
        .map((d) => (d.kind === 'bad_signature' ? 401 : d.kind === 'malformed' ? 400 : 200));
      expect(statuses).toEqual(expectedStatuses);

      second.send('drain');
      expect(await second.read()).toEqual({ pending: 0 });
      expect(await stormOutcomeProblems(reader, storm, reference), `seed ${SEED}`).toEqual([]);
      expect(await storeInvariantViolations(reader)).toEqual([]);

      const handedOver = readFileSync(deliveryLog, 'utf8').split('\n').filter(Boolean);
      const delivered = new Set(handedOver);
      console.info(
        `${store.env.RK_STORE}: ${acknowledged.length} deliveries acknowledged before the kill, ${retries.flat().length} retried; ` +
          `${handedOver.length - delivered.size} outbox events handed over twice (at-least-once)`,
      );
      const outbox = await reader.rows((t) => `SELECT event_id, delivered_at FROM ${t('outbox')}`);
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.filter((row) => !delivered.has(String(row.event_id))).map((row) => row.event_id)).toEqual(
        [],
      );
      expect(outbox.filter((row) => row.delivered_at === null)).toEqual([]);
      await second.stop();
    } finally {
      await reader.close();
      await second.crash();
    }
  });
});
