/**
 * The baseline of figure 3: a bare express app answering `GET <path>` with a fixed JSON document (the one the
 * mock answered), on 127.0.0.1, port 0. Prints `{"url"}` when ready.
 *
 *   node bare-json.mjs <file with {"path", "body"}>
 */
import { readFileSync } from 'node:fs';
import { importDependencyOf } from '../lib/packages.mjs';

const { path, body } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const express = await importDependencyOf('mock-engine', 'express');
const app = express();
// Routes match the path only; the query string (e.g. `?account=…&limit=100`) is the client's business.
app.get(new URL(path, 'http://bare').pathname, (_req, res) => {
  res.json(body);
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
