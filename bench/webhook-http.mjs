/**
 * Figure 2: the express webhook endpoint (`createWebhookRouter` from @reconnect-kit/express, with the service on
 * its default store) against the fair hand-written baseline: a bare express route that checks the same HMAC and
 * stores the delivery with one INSERT into the same kind of store (node:sqlite :memory:) before answering 200.
 * The route that only verifies and answers is kept as an info figure. Every request carries a new signed delivery,
 * so the kit side never takes the cheaper duplicate path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delivery, makeAccounts, SIGNATURE_HEADER } from './lib/argyle-webhooks.mjs';
import { load, startServer } from './lib/http-load.mjs';
import { figure, interleaveSides } from './lib/stats.mjs';

const ACCOUNTS = 200;
const ROUNDS = 5;
const SECONDS = 1.5;
const WARM_UP_SECONDS = 1;
const CONNECTIONS = 10;
/**
 * Deliveries are built for one kit run at a time, for a rate it has not come near: twice the fastest rate the kit side
 * has answered so far, and at least MIN_CEILING_PER_SECOND (over twice its best on the build machine, about
 * 9,000/s). At about 3.1 KB of memory a delivery, that is about 95 MB for a 1.5 s run at 20,000/s.
 */
const MIN_CEILING_PER_SECOND = 20_000;
const HEADROOM = 2;
/** Where a request goes once the kit side has used up the deliveries built for its run: a 404 fails the run. */
const RAN_OUT_PATH = '/__bench/pool-ran-out';

/**
 * Pre-built deliveries for the next run. `refill` (between runs, never while one is timed) drops the ones the kit
 * side has sent and builds the next `count`; a delivery is never built twice, so the kit side never sees one again.
 */
function deliveryPool(accounts) {
  const pool = { first: 0, items: [], ranOut: false };
  pool.refill = (cursor, count) => {
    const kept = pool.items.slice(cursor.next - pool.first);
    const end = pool.first + pool.items.length;
    const built = Array.from({ length: cursor.next + count - end }, (_, offset) =>
      delivery(accounts, end + offset),
    );
    pool.items = kept.concat(built);
    pool.first = cursor.next;
  };
  return pool;
}

/**
 * autocannon requests that post deliveries from `pool`, starting at `cursor.next` and moving it on. The kit side
 * (`cycle: false`) must never see a delivery twice: past the end of the pool it marks it as run out and asks for
 * RAN_OUT_PATH instead. The bare side has no dedupe and cycles. Both pay the same per request.
 */
function postFrom(pool, cursor, { cycle }) {
  return [
    {
      method: 'POST',
      path: '/webhooks/argyle',
      setupRequest: (request) => {
        const delivery = pool.items[cycle ? cursor.next % pool.items.length : cursor.next - pool.first];
        cursor.next += 1;
        if (delivery === undefined) {
          pool.ranOut = true;
          request.path = RAN_OUT_PATH;
          return request;
        }
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
  const pool = deliveryPool(accounts);
  const servers = [];
  try {
    const kit = await startServer('webhook-receiver.mjs', ['kit', accountsFile]);
    servers.push(kit);
    const bare = await startServer('webhook-receiver.mjs', ['bare']);
    servers.push(bare);
    const stored = await startServer('webhook-receiver.mjs', ['stored']);
    servers.push(stored);
    const kitCursor = { next: 0 };
    const bareCursor = { next: 0 };
    const storedCursor = { next: 0 };
    let fastest = 0; // of the kit side
    // autocannon builds one request per connection before it starts, and may stop with more in flight.
    const runOf = (seconds) =>
      Math.ceil(Math.max(MIN_CEILING_PER_SECOND, HEADROOM * fastest) * seconds) + 2 * CONNECTIONS;
    const post = async (server, cursor, seconds) => {
      if (cursor === kitCursor) pool.refill(kitCursor, runOf(seconds));
      const built = pool.items.length;
      try {
        const result = await load(`${server.url}/webhooks/argyle`, {
          seconds,
          connections: CONNECTIONS,
          requests: postFrom(pool, cursor, { cycle: cursor !== kitCursor }),
        });
        if (cursor === kitCursor) fastest = Math.max(fastest, result.perSecond);
        return result;
      } catch (error) {
        if (pool.ranOut) {
          throw new Error(`the ${built} deliveries built for a ${seconds} s run ran out; raise HEADROOM`);
        }
        throw error;
      }
    };
    // Warm-up, not counted. The bare side's pool is the kit's first run's, built here.
    pool.refill(kitCursor, runOf(WARM_UP_SECONDS));
    await post(bare, bareCursor, WARM_UP_SECONDS);
    await post(stored, storedCursor, WARM_UP_SECONDS);
    await post(kit, kitCursor, WARM_UP_SECONDS);
    const hit = (server, cursor) => async () => (await post(server, cursor, SECONDS)).perSecond;
    const samples = await interleaveSides(
      ROUNDS,
      { bare: hit(bare, bareCursor), stored: hit(stored, storedCursor), kit: hit(kit, kitCursor) },
      {
        onRound: (round, s) =>
          log(
            `  round ${round + 1}/${ROUNDS}: bare ${Math.round(s.bare.at(-1))}/s, stored ${Math.round(s.stored.at(-1))}/s, kit ${Math.round(s.kit.at(-1))}/s`,
          ),
      },
    );
    const applied = await appliedCount(kit);
    // autocannon may stop with requests in flight, so "sent" can exceed "answered" by up to CONNECTIONS per run.
    if (applied > kitCursor.next || applied < kitCursor.next - CONNECTIONS * (ROUNDS + 1)) {
      throw new Error(`the kit applied ${applied} deliveries but ${kitCursor.next} were sent`);
    }
    const subject = {
      label: '@reconnect-kit/express createWebhookRouter + service (SQLite :memory:)',
      samples: samples.kit,
    };
    const notes = `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds (rotating who goes first) after a 1 s warm-up each; servers in their own processes on 127.0.0.1; every request a new signed accounts.updated delivery (${applied} applied by the kit side, each a transition), built between runs.`;
    return [
      figure({
        id: 'webhook.express.ratio',
        title: 'Express webhook endpoint vs a bare route that stores the delivery',
        unit: 'requests/s',
        baseline: {
          label: 'bare express: express.raw + HMAC check + 1 INSERT into node:sqlite :memory: + 200',
          samples: samples.stored,
        },
        subject,
        target: { op: '>=', value: 0.7 },
        notes,
      }),
      figure({
        id: 'webhook.express.verify-only',
        title: 'Express webhook endpoint vs a bare route that only verifies (info)',
        unit: 'requests/s',
        baseline: { label: 'bare express: express.raw + HMAC check + 200', samples: samples.bare },
        subject,
        notes,
      }),
    ];
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
