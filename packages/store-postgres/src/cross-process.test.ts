import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createExampleKit } from '@reconnect-kit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './create.js';
import type { PostgresConnectionStore } from './store.js';
import { type CompiledTree, compileTree } from './testing/compile.js';
import {
  DATABASE_URL,
  dropSchema,
  lockHolder,
  randomSchemaName,
  testPool,
  waitFor,
} from './testing/database.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A child app instance speaking JSON lines (see testing/cross-process-child.ts). */
function startInstance(compiled: CompiledTree, env: Record<string, string>) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', compiled.hooks, compiled.compiled(here('./testing/cross-process-child.ts'))],
    { env: { ...process.env, ...compiled.env, ...env } },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    async read<T>(): Promise<T> {
      const { value, done } = await lines.next();
      if (done) throw new Error(`child exited early (code ${await exited}): ${stderr}`);
      return JSON.parse(value) as T;
    },
    send(command: string) {
      child.stdin.write(`${command}\n`);
    },
    async exitCode() {
      const code = await exited;
      if (code !== 0) throw new Error(`child exited with ${code}: ${stderr}`);
      return code;
    },
    kill: () => child.kill(),
  };
}

describe('two processes completing one reconnection', () => {
  const schema = randomSchemaName();
  const observer = testPool(1);
  let compiled: CompiledTree;
  let store: PostgresConnectionStore;

  beforeAll(async () => {
    compiled = compileTree(['core', 'store-postgres']);
    store = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 4 });
  });
  afterAll(async () => {
    await store?.close();
    await observer.end();
    await dropSchema(schema);
  });

  it('2 processes x 10 concurrent completions: one provider exchange, one connection.recovered', async () => {
    const kit = createExampleKit({ store });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_old' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'user_1',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
      secrets: { token: 'tok_old' },
      state: 'needs_reauth',
    });
    const { action } = await kit.service.startReconnection(connection.id);
    const state = (action as { state: string }).state;

    const instances = [0, 1].map(() =>
      startInstance(compiled, { DATABASE_URL, RK_SCHEMA: schema, RK_STATE: state }),
    );
    try {
      for (const instance of instances) expect(await instance.read()).toEqual({ ready: true });
      for (const instance of instances) instance.send('go');
      // One process holds the lease (its exchange is held open); the other polls for it. Without the lock both
      // would exchange the code before the release below.
      await waitFor(
        () => lockHolder(observer, schema, connection.id),
        (owner) => owner !== undefined,
      );
      await sleep(300);
      for (const instance of instances) instance.send('release');
      const results = await Promise.all(
        instances.map((instance) => instance.read<{ exchanges: number; results: string[] }>()),
      );
      await Promise.all(instances.map((instance) => instance.exitCode()));

      // The process that exchanged shares its outcome among its 10 callers; the other one then finds the
      // state used (single use holds across processes) and makes no exchange.
      const byExchanges = results.sort((x, y) => x.exchanges - y.exchanges);
      expect(byExchanges.map((r) => r.exchanges)).toEqual([0, 1]);
      expect(byExchanges[0]?.results).toEqual(Array(10).fill('state_used'));
      expect(byExchanges[1]?.results).toEqual(Array(10).fill('recovered'));
      const recovered = (await store.listOutbox({})).filter((e) => e.event.type === 'connection.recovered');
      expect(recovered).toHaveLength(1);
      expect(await kit.service.getConnection(connection.id)).toMatchObject({ state: 'connected' });
    } finally {
      for (const instance of instances) instance.kill();
      await kit.service.stopDispatcher();
    }
  });
});
