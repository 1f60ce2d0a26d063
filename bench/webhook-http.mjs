/**
 * Figure 2: the express webhook endpoint (`createWebhookRouter` from @reconnect-kit/express) against the fair
 * hand-written baseline: a bare express route that checks the same HMAC and stores the delivery with one INSERT
 * into the same kind of store before answering 200. The target pair is durable, as the issue asks: the kit on its
 * SQLite file store with the store's defaults (WAL, synchronous=FULL), the bare route inserting into a SQLite file
 * opened with the settings the kit's store reports, each delivery committed before its 200. The same pair on
 * node:sqlite :memory: (the code's cost alone, no disk) and the route that only verifies are info figures. Every
 * request to a kit side carries a new signed delivery, so the kit never takes the cheaper duplicate path.
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
 * autocannon requests that post deliveries from `pool`, starting at `cursor.next` and moving it on. A kit side
 * (`cycle: false`) must never see a delivery twice: past the end of the pool it marks it as run out and asks for
 * RAN_OUT_PATH instead. A bare side has no dedupe and cycles. All pay the same per request.
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

/** The sides, in the order of the log line; a kit side never sees a delivery twice, the others cycle. */
const SIDES = [
  { name: 'bare', kit: false },
  { name: 'stored', kit: false },
  { name: 'kit', kit: true },
  { name: 'storedDurable', kit: false },
  { name: 'kitDurable', kit: true },
];

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  const accounts = makeAccounts(ACCOUNTS);
  const accountsFile = join(dir, 'accounts.json');
  writeFileSync(accountsFile, JSON.stringify(accounts));
  const servers = [];
  const start = async (...args) => {
    const server = await startServer('webhook-receiver.mjs', args);
    servers.push(server);
    return server;
  };
  try {
    const kitDurable = await start('kit-durable', accountsFile, join(dir, 'kit.db'));
    const settings = await (await fetch(`${kitDurable.url}/__bench/durability`)).json();
    const byName = {
      bare: await start('bare'),
      stored: await start('stored'),
      kit: await start('kit', accountsFile),
      storedDurable: await start('stored-durable', join(dir, 'bare.db'), JSON.stringify(settings)),
      kitDurable,
    };
    const sides = SIDES.map((side) => ({
      ...side,
      server: byName[side.name],
      pool: deliveryPool(accounts),
      cursor: { next: 0 },
      fastest: 0,
    }));
    // autocannon builds one request per connection before it starts, and may stop with more in flight.
    const runOf = (side, seconds) =>
      Math.ceil(Math.max(MIN_CEILING_PER_SECOND, HEADROOM * side.fastest) * seconds) + 2 * CONNECTIONS;
    const post = async (side, seconds) => {
      // A cycling side keeps the deliveries built for its first run.
      if (side.kit || side.pool.items.length === 0) side.pool.refill(side.cursor, runOf(side, seconds));
      const built = side.pool.items.length;
      try {
        const result = await load(`${side.server.url}/webhooks/argyle`, {
          seconds,
          connections: CONNECTIONS,
          requests: postFrom(side.pool, side.cursor, { cycle: !side.kit }),
        });
        side.fastest = Math.max(side.fastest, result.perSecond);
        return result;
      } catch (error) {
        if (side.pool.ranOut) {
          throw new Error(`the ${built} deliveries built for a ${seconds} s run ran out; raise HEADROOM`);
        }
        throw error;
      }
    };
    // Warm-up, not counted.
    for (const side of sides) await post(side, WARM_UP_SECONDS);
    const samples = await interleaveSides(
      ROUNDS,
      Object.fromEntries(sides.map((side) => [side.name, async () => (await post(side, SECONDS)).perSecond])),
      {
        onRound: (round, s) =>
          log(
            `  round ${round + 1}/${ROUNDS}: ${SIDES.map(({ name }) => `${name} ${Math.round(s[name].at(-1))}/s`).join(', ')}`,
          ),
      },
    );
    const appliedBy = {};
    for (const side of sides.filter(({ kit }) => kit)) {
      const applied = await appliedCount(side.server);
      // autocannon may stop with requests in flight, so "sent" can exceed "answered" by up to CONNECTIONS per run.
      if (applied > side.cursor.next || applied < side.cursor.next - CONNECTIONS * (ROUNDS + 1)) {
        throw new Error(
          `the ${side.name} side applied ${applied} deliveries but ${side.cursor.next} were sent`,
        );
      }
      appliedBy[side.name] = applied;
    }
    const notes = `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds (rotating who goes first) after a ${WARM_UP_SECONDS} s warm-up each; servers in their own processes on 127.0.0.1; every request to a kit side a new signed accounts.updated delivery (${appliedBy.kitDurable} applied on the file store, ${appliedBy.kit} in memory, each a transition), built between runs. Durable pair: journal_mode=${settings.journalMode}, synchronous=${settings.synchronous}, wal_autocheckpoint=${settings.walAutocheckpointPages} on both sides; the kit commits concurrent deliveries together (group commit), the bare route commits each INSERT on its own, as node:sqlite does by default.`;
    const kitInMemory = {
      label: '@reconnect-kit/express createWebhookRouter + service (SQLite :memory:)',
      samples: samples.kit,
    };
    return [
      figure({
        id: 'webhook.express.ratio',
        title: 'Express webhook endpoint vs a bare route that durably stores the delivery',
        unit: 'requests/s',
        baseline: {
          label: 'bare express: express.raw + HMAC check + 1 INSERT committed to a SQLite file + 200',
          samples: samples.storedDurable,
        },
        subject: {
          label: '@reconnect-kit/express createWebhookRouter + service (SQLite file store, its defaults)',
          samples: samples.kitDurable,
        },
        target: { op: '>=', value: 0.7 },
        notes,
      }),
      figure({
        id: 'webhook.express-memory.ratio',
        title: 'Express webhook endpoint vs a bare route that stores the delivery, both in memory (info)',
        unit: 'requests/s',
        baseline: {
          label: 'bare express: express.raw + HMAC check + 1 INSERT into node:sqlite :memory: + 200',
          samples: samples.stored,
        },
        subject: kitInMemory,
        notes,
      }),
      figure({
        id: 'webhook.express.verify-only',
        title: 'Express webhook endpoint vs a bare route that only verifies (info)',
        unit: 'requests/s',
        baseline: { label: 'bare express: express.raw + HMAC check + 200', samples: samples.bare },
        subject: kitInMemory,
        notes,
      }),
    ];
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
