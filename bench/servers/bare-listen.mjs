/** The baseline of the CLI start-up figure: load express, listen on 127.0.0.1 port 0, print one JSON line. */
import { importDependencyOf } from '../lib/packages.mjs';

const express = await importDependencyOf('mock-engine', 'express');
const app = express();
app.get('/', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
