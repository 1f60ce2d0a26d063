/**
 * A webhook receiver for figure 2, on 127.0.0.1, port 0. Prints `{"url":…}` when ready.
 *
 *   node webhook-receiver.mjs kit <accounts.json>   express app + @reconnect-kit/express webhook router + service
 *   node webhook-receiver.mjs bare                  express app, one route: HMAC check over the raw body, 200
 *   node webhook-receiver.mjs stored                the same route, which also stores the delivery with one INSERT
 *                                                   into the kit's kind of store (node:sqlite :memory:) before 200
 *
 * `GET /__bench/applied` answers how many deliveries the service applied (kit) or accepted (bare).
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SIGNATURE_HEADER, sign } from '../lib/argyle-webhooks.mjs';
import { composeArgyleService, registerConnections } from '../lib/compose.mjs';
import { importBuilt, importDependencyOf } from '../lib/packages.mjs';

const [mode, accountsFile] = process.argv.slice(2);
const express = await importDependencyOf('express', 'express');
const app = express();
let applied = 0;

if (mode === 'kit') {
  const { createWebhookRouter } = await importBuilt('express');
  // The default store of registerReconnectKit: node:sqlite in memory.
  const { service } = await composeArgyleService({ store: { kind: 'sqlite', path: ':memory:' } });
  await registerConnections(service, JSON.parse(readFileSync(accountsFile, 'utf8')));
  const counting = {
    async ingestWebhook(provider, rawBody, headers) {
      const result = await service.ingestWebhook(provider, rawBody, headers);
      applied += result.applied;
      return result;
    },
  };
  app.use(createWebhookRouter(counting));
} else if (mode === 'bare' || mode === 'stored') {
  // What a hand-written receiver does: verify, store the delivery (stored), answer.
  let store = () => {};
  if (mode === 'stored') {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(':memory:');
    db.exec(`CREATE TABLE deliveries (seq INTEGER PRIMARY KEY, signature TEXT NOT NULL, body BLOB NOT NULL,
      received_at TEXT NOT NULL)`);
    const insert = db.prepare('INSERT INTO deliveries (signature, body, received_at) VALUES (?, ?, ?)');
    store = (signature, body) => insert.run(signature, body, new Date().toISOString());
  }
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
  throw new Error(`unknown mode ${mode}; use kit, bare or stored`);
}
app.get('/__bench/applied', (_req, res) => res.json({ applied }));

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
