import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import { createPostgresStore, type PostgresConnectionStore } from '@reconnect-kit/store-postgres';
import Finch from '@tryfinch/finch-api';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildProcess, startChild } from './support/child.js';
import { CALLBACK_URL, createHost } from './support/host.js';
import {
  CHILD_HOST,
  type CompiledTree,
  compileHost,
  DATABASE_URL,
  randomSchemaName,
} from './support/processes.js';

/**
 * The HTTP-level twin of store-postgres's `cross-process.test.ts` (two processes x 10 direct calls with core's
 * example provider): here two host processes answer the Finch Connect redirect on their express callback route,
 * with the real Finch adapter and SDK exchanging the code against the Finch mock.
 */

const CALLS_PER_HOST = 10;

/** Opens the Connect page of a redirect action and signs in like a browser form post; returns the redirect. */
async function completeConnect(connectUrl: string): Promise<URL> {
  const page = await fetch(connectUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`Connect page answered ${page.status}: ${html}`);
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  const answer = await fetch(new URL('/authorize', connectUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, username: 'good_user', password: 'good_pass' }).toString(),
    redirect: 'manual',
  });
  const location = answer.headers.get('location');
  if (answer.status !== 302 || !location)
    throw new Error(`expected a 302 from Connect, got ${answer.status}`);
  return new URL(location);
}

describe('two host processes on one PostgreSQL schema answer the same Finch callback 20 times', () => {
  const schema = randomSchemaName('rk_flight');
  const observer = new Pool({ connectionString: DATABASE_URL, max: 1 });
  let tree: CompiledTree;
  let mock: Awaited<ReturnType<typeof startFinchMock>>;
  let store: PostgresConnectionStore;
  const hosts: ChildProcess[] = [];

  beforeAll(async () => {
    tree = compileHost();
    mock = await startFinchMock({ port: 0 });
    store = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 2 });
  });
  afterAll(async () => {
    await Promise.all(hosts.map((host) => host.crash()));
    await store?.close();
    await mock?.close();
    await observer.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await observer.end();
  });

  it('exactly one POST /auth/token at the mock and one connection.recovered; the other process finds the state used', async () => {
    const finch = {
      baseUrl: mock.url,
      clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
      clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
      webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    };
    const app = new Finch({ clientID: finch.clientId, clientSecret: finch.clientSecret, baseURL: mock.url });
    const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto' });
    await app
      .withAccessToken(sandbox.access_token)
      .sandbox.connections.accounts.update({ connection_status: 'reauth' });

    const { service } = createHost({ store, finch });
    const connection = await service.registerConnection({
      provider: 'finch',
      hostUserId: 'host_user_1',
      upstreamId: sandbox.connection_id,
      upstreamParentId: sandbox.company_id ?? undefined,
      secrets: { access_token: sandbox.access_token },
      state: 'needs_reauth',
    });
    const { action } = await service.startReconnection(connection.id, { redirectUri: CALLBACK_URL });
    if (action.kind !== 'redirect') throw new Error(`expected a redirect action, got ${action.kind}`);
    const redirect = await completeConnect(action.url);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(CALLBACK_URL);
    await fetch(`${mock.url}/__admin/requests`, { method: 'DELETE' });

    for (let i = 0; i < 2; i += 1) {
      hosts.push(
        startChild(tree, CHILD_HOST, {
          RK_STORE: 'postgres',
          DATABASE_URL,
          RK_SCHEMA: schema,
          RK_FINCH_URL: finch.baseUrl,
          RK_FINCH_CLIENT_ID: finch.clientId,
          RK_FINCH_CLIENT_SECRET: finch.clientSecret,
          RK_FINCH_WEBHOOK_SECRET: finch.webhookSecret,
        }),
      );
    }
    const urls = await Promise.all(hosts.map(async (host) => (await host.read<{ url: string }>()).url));
    const answersByHost = await Promise.all(
      urls.map((url) =>
        Promise.all(
          Array.from({ length: CALLS_PER_HOST }, async () => {
            const response = await fetch(`${url}/reconnect/callback${redirect.search}`, {
              headers: { accept: 'application/json' },
            });
            return { status: response.status, body: (await response.json()) as unknown };
          }),
        ),
      ),
    );

    // Callers that share the first completion (its process's in-process single flight) get its outcome; the
    // state is single use, so every caller served after it (the other process, waiting on the connection lock)
    // is refused with state_used. Nobody gets anything else.
    const answers = answersByHost.flat();
    const recovered = answers.filter((answer) => answer.status === 200);
    expect(recovered.length).toBeGreaterThanOrEqual(1);
    for (const answer of recovered) {
      // The callback answers an outcome code only.
      expect(answer.body).toEqual({ connectionId: connection.id, outcome: 'recovered' });
    }
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer).toMatchObject({ status: 409, body: { error: { code: 'state_used' } } });
    }
    const journal = (await (
      await fetch(`${mock.url}/__admin/requests?path=/auth/token&method=POST`)
    ).json()) as {
      total: number;
    };
    expect(journal.total).toBe(1);
    const { rows } = await observer.query(
      `SELECT event_id FROM ${schema}.outbox WHERE body->>'type' = 'connection.recovered' AND body->>'connectionId' = $1`,
      [connection.id],
    );
    expect(rows).toHaveLength(1);
  });
});
