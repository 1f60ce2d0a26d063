import { type Connection, isReconnectKitError } from '@reconnect-kit/core';
import { createExampleKit, type ExampleKit } from '@reconnect-kit/core/testing';
import { Pool, type QueryConfig, type QueryResult } from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresConnectionStore } from './store.js';
import { DATABASE_URL, dropSchema, emptyTables, randomSchemaName } from './testing/database.js';

/** Counts every statement the store sends (each is one round trip to PostgreSQL). */
let roundTrips = 0;
function countRoundTrips(pool: Pool): Pool {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      roundTrips += 1;
      return query(...args);
    }) as typeof client.query;
  });
  return pool;
}

const T0 = '2026-03-01T00:00:00.000Z';

/** Scans of `table` that ran (at least one loop) in an EXPLAIN (ANALYZE, FORMAT JSON) result. */
function scansRun(plan: unknown, table: string): number {
  if (Array.isArray(plan)) return plan.reduce((n: number, item) => n + scansRun(item, table), 0);
  if (typeof plan !== 'object' || plan === null) return 0;
  const node = plan as {
    Plan?: unknown;
    Plans?: unknown;
    'Node Type'?: string;
    'Relation Name'?: string;
    'Actual Loops'?: number;
  };
  const own =
    node['Relation Name'] === table && node['Node Type']?.endsWith('Scan') && (node['Actual Loops'] ?? 0) > 0
      ? 1
      : 0;
  return own + scansRun(node.Plan, table) + scansRun(node.Plans, table);
}

describe('deferred transactions (writes in one statement)', () => {
  const schema = randomSchemaName();
  const pool = countRoundTrips(new Pool({ connectionString: DATABASE_URL, max: 6 }));
  let store: PostgresConnectionStore;
  let kit: ExampleKit;

  beforeAll(async () => {
    await new PostgresConnectionStore({ pool, schema }).migrate();
  });
  beforeEach(async () => {
    await emptyTables(pool, schema);
    store = new PostgresConnectionStore({ pool, schema });
    kit = createExampleKit({ store, options: { confirmWebhooks: false } });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_1' });
  });
  afterAll(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  const registered = () =>
    kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'user_1',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
      secrets: { token: 'tok_1' },
    });

  const statusEvent = (id: string, status: 'login_required' | 'active') => ({
    id,
    type: 'account.status',
    account_id: 'acc_1',
    owner_id: 'owner_1',
    status,
    occurred_at: kit.clock.now().toISOString(),
  });

  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; trips: number }> {
    roundTrips = 0;
    const result = await work();
    return { result, trips: roundTrips };
  }

  it('ingests a delivery that applies a transition in two round trips, events and all', async () => {
    const connection = await registered();
    const { result, trips } = await counted(() => kit.ingest([statusEvent('evt_1', 'login_required')]));
    expect(result).toMatchObject({ applied: 1, duplicates: 0, ignored: 0 });
    expect(trips).toBeLessThanOrEqual(2);
    expect(await store.getConnection(connection.id)).toMatchObject({ state: 'needs_reauth', version: 2 });
    const types = (await store.listOutbox({})).map((entry) => entry.event.type);
    expect(types).toContain('connection.broken');
  });

  it('answers a replayed delivery as a duplicate in two round trips, changing nothing', async () => {
    const connection = await registered();
    const event = statusEvent('evt_1', 'login_required');
    await kit.ingest([event]);
    const outboxBefore = await store.listOutbox({});
    const { result, trips } = await counted(() => kit.ingest([event]));
    expect(result).toMatchObject({ applied: 0, duplicates: 1 });
    expect(trips).toBeLessThanOrEqual(2);
    expect(await store.getConnection(connection.id)).toMatchObject({ version: 2 });
    expect(await store.listOutbox({})).toEqual(outboxBefore);
  });

  it('journals an event for an unknown account in two round trips', async () => {
    // Without a parent id there is no successor to look for (that lookup is one more read).
    const { owner_id: _, ...event } = { ...statusEvent('evt_x', 'active'), account_id: 'acc_unknown' };
    const { result, trips } = await counted(() => kit.ingest([event]));
    expect(result).toMatchObject({ ignored: 1 });
    expect(trips).toBeLessThanOrEqual(2);
    expect(await store.listIgnoredSignals({})).toMatchObject([{ reason: 'unknown_connection' }]);
  });

  it('ingests a delivery about a connection this process has seen in one round trip', async () => {
    const connection = await registered();
    await kit.ingest([statusEvent('evt_1', 'login_required')]);
    const { result, trips } = await counted(() => kit.ingest([statusEvent('evt_2', 'active')]));
    expect(result).toMatchObject({ applied: 1 });
    expect(trips).toBe(1);
    expect(await store.getConnection(connection.id)).toMatchObject({ state: 'connected', version: 3 });
  });

  it('redoes a transaction that read a remembered connection another instance changed, on the latest state, in two round trips', async () => {
    const connection = await registered();
    // Another instance breaks the connection; this process still remembers it connected at version 1.
    const other = new PostgresConnectionStore({ pool, schema });
    const broken = { ...connection, state: 'needs_reauth' as const, version: 2 };
    await other.updateConnection(broken, 1);
    // "active" is news only against the latest state: against the remembered one it would change nothing.
    const { result, trips } = await counted(() => kit.ingest([statusEvent('evt_1', 'active')]));
    expect(result).toMatchObject({ applied: 1 });
    // The failed write statement brought the current state back: the redo needed no read.
    expect(trips).toBe(2);
    expect(await store.getConnection(connection.id)).toMatchObject({ state: 'connected', version: 3 });
    const types = (await store.listOutbox({})).map((entry) => entry.event.type);
    expect(types).toContain('connection.recovered');
  });

  it('looks a remembered connection up only in the update that writes it from the remembered version', async () => {
    // Each write statement of this pool is first run under EXPLAIN ANALYZE (and rolled back).
    const plans: unknown[] = [];
    const explaining = new Pool({ connectionString: DATABASE_URL, max: 1 });
    explaining.on('connect', (client) => {
      const query = client.query.bind(client) as (config: QueryConfig) => Promise<QueryResult>;
      client.query = (async (config: QueryConfig) => {
        if (typeof config === 'object' && config.text.startsWith('WITH')) {
          await query({ text: 'BEGIN' });
          const { rows } = await query({
            text: `EXPLAIN (ANALYZE, FORMAT JSON) ${config.text}`,
            values: config.values,
          });
          await query({ text: 'ROLLBACK' });
          plans.push(rows[0]?.['QUERY PLAN']);
        }
        return query(config);
      }) as typeof client.query;
    });
    try {
      store = new PostgresConnectionStore({ pool: explaining, schema });
      kit = createExampleKit({ store, options: { confirmWebhooks: false } });
      kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_1' });
      await registered();
      await kit.ingest([statusEvent('evt_1', 'login_required')]);
      plans.length = 0;
      expect(await kit.ingest([statusEvent('evt_2', 'active')])).toMatchObject({ applied: 1 });
      expect(plans).toHaveLength(1);
      // One read of the connections table ran: the update's own (version = remembered version) one.
      expect(scansRun(plans[0], `connections`)).toBe(1);
    } finally {
      await explaining.end();
    }
  });

  it('never answers a read from memory that another instance has changed since', async () => {
    const connection = await registered();
    const other = new PostgresConnectionStore({ pool, schema });
    await other.updateConnection({ ...connection, state: 'needs_reauth', version: 2 }, 1);
    const read = await store.transaction((tx) => tx.getConnection(connection.id));
    expect(read).toMatchObject({ state: 'needs_reauth', version: 2 });
  });

  it('redoes the work classically when a miss reports in a form it cannot read (an older expect_written)', async () => {
    const fn = `"${schema}".expect_written`;
    const signature = `${fn}(bigint[], bigint[], jsonb)`;
    const { rows } = await pool.query<{ definition: string }>(
      `SELECT pg_get_functiondef('${signature}'::regprocedure) AS definition`,
    );
    await pool.query(`CREATE OR REPLACE FUNCTION ${fn}(actual bigint[], expected bigint[], current jsonb)
      RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF actual IS DISTINCT FROM expected THEN
          RAISE EXCEPTION 'miss' USING ERRCODE = 'RKD01', DETAIL = array_to_string(actual, ',');
        END IF;
        RETURN true;
      END $$`);
    try {
      expect(await store.recordInboundEvent('example', 'evt_seen', new Date(T0))).toBe(true);
      const first = await store.transaction((tx) =>
        tx.recordInboundEvent('example', 'evt_seen', new Date(T0)),
      );
      expect(first).toBe(false);
    } finally {
      await pool.query(rows[0]?.definition ?? '');
    }
  });

  it('reads every time with recentConnections: 0', async () => {
    store = new PostgresConnectionStore({ pool, schema, recentConnections: 0 });
    kit = createExampleKit({ store, options: { confirmWebhooks: false } });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_1' });
    await registered();
    await kit.ingest([statusEvent('evt_1', 'login_required')]);
    const { trips } = await counted(() => kit.ingest([statusEvent('evt_2', 'active')]));
    expect(trips).toBe(2);
  });

  it('sends a read-only transaction without BEGIN or COMMIT', async () => {
    const connection = await registered();
    const { result, trips } = await counted(() => store.transaction((tx) => tx.getConnection(connection.id)));
    expect(result).toMatchObject({ id: connection.id });
    expect(trips).toBe(1);
  });

  it('redoes a transaction whose buffered update lost a race: exactly one writer wins, the other gets store_conflict', async () => {
    const connection = await registered();
    let arrived = 0;
    let bothRead = () => {};
    const barrier = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const writer = (state: Connection['state']) =>
      store.transaction(async (tx) => {
        const current = (await tx.getConnection(connection.id)) as Connection;
        arrived += 1;
        if (arrived === 2) bothRead();
        await barrier;
        await tx.updateConnection({ ...current, state, version: 2 }, 1);
        await tx.appendOutbox(
          [
            {
              id: `evt_${state}`,
              type: 'connection.state_changed',
              connectionId: connection.id,
              provider: 'example',
              hostUserId: 'user_1',
              occurredAt: T0,
              cause: { kind: 'webhook', ref: state },
            },
          ],
          new Date(T0),
        );
        return state;
      });
    const results = await Promise.allSettled([writer('degraded'), writer('needs_credentials')]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(isReconnectKitError(lost[0], 'store_conflict')).toBe(true);
    expect(await store.getConnection(connection.id)).toMatchObject({ state: won[0], version: 2 });
    // The loser's outbox row went down with its update.
    const ids = (await store.listOutbox({})).map((entry) => entry.event.id);
    expect(ids).toContain(`evt_${won[0]}`);
    expect(ids).not.toContain(`evt_${won[0] === 'degraded' ? 'needs_credentials' : 'degraded'}`);
  });

  it('reports a deferred insert of an existing connection as store_conflict and writes nothing of it', async () => {
    const connection = await registered();
    const error = await store
      .transaction(async (tx) => {
        await tx.insertConnection({ ...connection, id: 'conn_twin' });
        await tx.putSecrets('conn_twin', 'sealed-twin');
      })
      .catch((e: unknown) => e);
    expect(isReconnectKitError(error, 'store_conflict')).toBe(true);
    expect(await store.getSecrets('conn_twin')).toBeUndefined();
  });

  it('redoes a promoted transaction even when the function swallowed the miss', async () => {
    expect(await store.recordInboundEvent('example', 'evt_seen', new Date(T0))).toBe(true);
    let runs = 0;
    const result = await store.transaction(async (tx) => {
      runs += 1;
      const first = await tx.recordInboundEvent('example', 'evt_seen', new Date(T0));
      await tx.putSecrets('conn_a', 'sealed-a');
      // Reading a table with a buffered write promotes the run and sends the buffered writes: the miss.
      await tx.getSecrets('conn_a').catch(() => undefined);
      return first;
    });
    expect(result).toBe(false);
    expect(runs).toBe(2);
    expect(await store.getSecrets('conn_a')).toBe('sealed-a');
  });
});
