/**
 * A webhook receiver for figure 2, on 127.0.0.1, port 0. Prints `{"url":…}` when ready.
 *
 *   node webhook-receiver.mjs kit <accounts.json>                 express app + @reconnect-kit/express webhook
 *                                                                 router + service on node:sqlite :memory:
 *   node webhook-receiver.mjs kit-durable <accounts.json> <file>  the same on the SQLite file store, with its
 *                                                                 defaults (WAL, synchronous=FULL)
 *   node webhook-receiver.mjs bare                                express app, one route: HMAC check over the
 *                                                                 raw body, 200
 *   node webhook-receiver.mjs stored                              the same route, which also stores the delivery
 *                                                                 with one INSERT into node:sqlite :memory: first
 *   node webhook-receiver.mjs stored-durable <file> <settings>    the same INSERT into a SQLite file opened with
 *                                                                 the kit store's settings (JSON of its
 *                                                                 `durability`): committed to disk before the 200
 *
 * `GET /__bench/applied` answers how many deliveries the service applied (kit) or accepted (bare, stored);
 * `GET /__bench/durability` the kit store's journal mode, synchronous level and checkpoint interval.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SIGNATURE_HEADER, sign } from '../lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from '../lib/compose.mjs';
import { importBuilt, importDependencyOf } from '../lib/packages.mjs';

const [mode, ...args] = process.argv.slice(2);
const express = await importDependencyOf('express', 'express');
const app = express();
let applied = 0;
let durability = null;

/** One INSERT per delivery, autocommit: what a hand-written receiver on node:sqlite does. */
async function deliveryTable(path, settings) {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path);
  if (settings) {
    db.exec(`PRAGMA journal_mode = ${settings.journalMode}`);
    db.exec(`PRAGMA wal_autocheckpoint = ${settings.walAutocheckpointPages}`);
    db.exec(`PRAGMA synchronous = ${settings.synchronous}`);
  }
  db.exec(`CREATE TABLE deliveries (seq INTEGER PRIMARY KEY, signature TEXT NOT NULL, body BLOB NOT NULL,
    received_at TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO deliveries (signature, body, received_at) VALUES (?, ?, ?)');
  return (signature, body) => insert.run(signature, body, new Date().toISOString());
}

if (mode === 'kit' || mode === 'kit-durable') {
  const [accountsFile, path = ':memory:'] = args;
  const { createWebhookRouter } = await importBuilt('express');
  // The kit's store as a host configures it: in memory (registerReconnectKit's default), or a file with the
  // store's default durability.
  const { service, store } = await composeArgyleService({ store: { kind: 'sqlite', path } });
  durability = store.durability ?? null;
  await registerConnections(service, JSON.parse(readFileSync(accountsFile, 'utf8')));
  const counting = {
    async ingestWebhook(provider, rawBody, headers) {
      const result = await service.ingestWebhook(provider, rawBody, headers);
      applied += result.applied;
      return result;
    },
  };
  app.use(createWebhookRouter(counting));
} else if (mode === 'bare' || mode === 'stored' || mode === 'stored-durable') {
  // What a hand-written receiver does: verify, store the delivery (stored), answer.
  let store = () => {};
  if (mode === 'stored') store = await deliveryTable(':memory:');
  if (mode === 'stored-durable') store = await deliveryTable(args[0], JSON.parse(args[1]));
  app.post('/webhooks/argyle', express.raw({ type: '*/*' }), (req, res) => {
    const signature = req.get(SIGNATURE_HEADER) ?? '';
    const received = Buffer.from(signature, 'hex');
    const expected = Buffer.from(sign(req.body), 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    store(signature, req.body);
    applied += 1;
    res.status(200).json({ received: true });
  });
} else {
  throw new Error(`unknown mode ${mode}; use kit, kit-durable, bare, stored or stored-durable`);
}
app.get('/__bench/durability', (_req, res) => res.json(durability));
app.get('/__bench/applied', (_req, res) => res.json({ applied }));

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
