/**
 * Figure 2: the express webhook endpoint (`createWebhookRouter` from @reconnect-kit/express, with the service on
 * its default store) against a bare express route that checks the same HMAC and answers 200. Every request
 * carries a new signed delivery, so the kit side never takes the cheaper duplicate path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveries, makeAccounts, SIGNATURE_HEADER } from './lib/argyle-webhooks.mjs';
import { load, startServer } from './lib/http-load.mjs';
import { figure, interleave } from './lib/stats.mjs';

const ACCOUNTS = 200;
const ROUNDS = 5;
const SECONDS = 1.5;
const CONNECTIONS = 10;
/** More than the kit side can take in ROUNDS × SECONDS plus warm-up on this kind of machine. */
const POOL = 30_000;

/** autocannon requests that post deliveries from `pool`, starting at `cursor.next` and moving it on. */
function postFrom(pool, cursor) {
  return [
    {
      method: 'POST',
      path: '/webhooks/argyle',
      setupRequest: (request) => {
        const delivery = pool[cursor.next % pool.length];
        cursor.next += 1;
        request.body = delivery.body;
        request.headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: delivery.signature };
        return request;
      },
    },
  ];
}

async function appliedCount(server) {
  const response = await fetch(`${server.url}/__bench/applied`);
  return (await response.json()).applied;
}

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const accounts = makeAccounts(ACCOUNTS);
  const accountsFile = join(dir, 'accounts.json');
  writeFileSync(accountsFile, JSON.stringify(accounts));
  const pool = deliveries(accounts, 0, POOL);
  const servers = [];
  try {
    const kit = await startServer('webhook-receiver.mjs', ['kit', accountsFile]);
    servers.push(kit);
    const bare = await startServer('webhook-receiver.mjs', ['bare']);
    servers.push(bare);
    // The kit side must never see a delivery twice; the bare side has no dedupe and may cycle.
    const kitCursor = { next: 0 };
    const bareCursor = { next: 0 };
    const hit = (server, cursor) => async () =>
      (
        await load(`${server.url}/webhooks/argyle`, {
          seconds: SECONDS,
          connections: CONNECTIONS,
          requests: postFrom(pool, cursor),
        })
      ).perSecond;
    // Warm-up, not counted.
    await load(`${bare.url}/webhooks/argyle`, {
      seconds: 1,
      connections: CONNECTIONS,
      requests: postFrom(pool, bareCursor),
    });
    await load(`${kit.url}/webhooks/argyle`, {
      seconds: 1,
      connections: CONNECTIONS,
      requests: postFrom(pool, kitCursor),
    });
    const samples = await interleave(ROUNDS, hit(bare, bareCursor), hit(kit, kitCursor), {
      onRound: (round, s) =>
        log(
          `  round ${round + 1}/${ROUNDS}: bare ${Math.round(s.baseline.at(-1))}/s, kit ${Math.round(s.subject.at(-1))}/s`,
        ),
    });
    if (kitCursor.next > pool.length)
      throw new Error(`the pool of ${pool.length} deliveries ran out; raise POOL`);
    const applied = await appliedCount(kit);
    // autocannon may stop with requests in flight, so "sent" can exceed "answered" by up to CONNECTIONS per run.
    if (applied > kitCursor.next || applied < kitCursor.next - CONNECTIONS * (ROUNDS + 1)) {
      throw new Error(`the kit applied ${applied} deliveries but ${kitCursor.next} were sent`);
    }
    return [
      figure({
        id: 'webhook.express.ratio',
        title: 'Express webhook endpoint vs bare express route',
        unit: 'requests/s',
        baseline: { label: 'bare express: express.raw + HMAC check + 200', samples: samples.baseline },
        subject: {
          label: '@reconnect-kit/express createWebhookRouter + service (SQLite :memory:)',
          samples: samples.subject,
        },
        target: { op: '>=', value: 0.7 },
        notes: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds after a 1 s warm-up each; servers in their own processes on 127.0.0.1; every request a new signed accounts.updated delivery (${applied} applied by the kit side, each a transition).`,
      }),
    ];
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
