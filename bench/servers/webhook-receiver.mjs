/**
 * A webhook receiver for figure 2, on 127.0.0.1, port 0. Prints `{"url":…}` when ready.
 *
 *   node webhook-receiver.mjs kit <accounts.json>   express app + @reconnect-kit/express webhook router + service
 *   node webhook-receiver.mjs bare                  express app, one route: HMAC check over the raw body, 200
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
} else if (mode === 'bare') {
  app.post('/webhooks/argyle', express.raw({ type: '*/*' }), (req, res) => {
    const received = Buffer.from(req.get(SIGNATURE_HEADER) ?? '', 'hex');
    const expected = Buffer.from(sign(req.body), 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      res.status(401).json({ error: 'bad signature' });
      return;
    }
    applied += 1;
    res.status(200).json({ received: true });
  });
} else {
  throw new Error(`unknown mode ${mode}; use kit or bare`);
}
app.get('/__bench/applied', (_req, res) => res.json({ applied }));

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
