/**
 * Figure 3: each mock's data endpoint (Argyle `GET /v2/accounts/{id}` and a page of 100 full paystubs, Finch
 * `GET /employer/directory`) against a bare express app returning the same JSON document.
 * `BENCH_MOCK_ENDPOINTS=mock.argyle.paystubs.ratio` (comma list of figure ids) measures only those figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, startServer } from './lib/http-load.mjs';
import { figure, interleave } from './lib/stats.mjs';

const ROUNDS = 5;
const SECONDS = 1.5;
const CONNECTIONS = 10;

export const ENDPOINTS = [
  { vendor: 'argyle', title: 'Argyle mock GET /v2/accounts/{id} vs bare express' },
  {
    vendor: 'argyle-paystubs',
    id: 'mock.argyle.paystubs.ratio',
    title: 'Argyle mock GET /v2/paystubs (a page of 100 full paystubs) vs bare express',
  },
  { vendor: 'finch', title: 'Finch mock GET /employer/directory vs bare express' },
  {
    vendor: 'finch-100',
    id: 'mock.finch.directory100.ratio',
    title: 'Finch mock GET /employer/directory, a page of 100 individuals, vs bare express',
  },
];

export async function measure({ vendor, id, title }, dir, log) {
  const servers = [];
  try {
    const mock = await startServer('mock-server.mjs', [vendor]);
    servers.push(mock);
    const answer = await fetch(`${mock.url}${mock.path}`, { headers: mock.headers });
    if (answer.status !== 200) throw new Error(`${vendor} mock answered ${answer.status} to ${mock.path}`);
    const body = await answer.json();
    const bodyFile = join(dir, `${vendor}.json`);
    writeFileSync(bodyFile, JSON.stringify({ path: mock.path, body }));
    const bare = await startServer('bare-json.mjs', [bodyFile]);
    servers.push(bare);
    const hit = (url, headers) => async () =>
      (await load(url, { seconds: SECONDS, connections: CONNECTIONS, headers })).perSecond;
    const mockRun = hit(`${mock.url}${mock.path}`, mock.headers);
    const bareRun = hit(`${bare.url}${mock.path}`, mock.headers);
    await load(`${bare.url}${mock.path}`, { seconds: 1, connections: CONNECTIONS });
    await load(`${mock.url}${mock.path}`, { seconds: 1, connections: CONNECTIONS, headers: mock.headers });
    const samples = await interleave(ROUNDS, bareRun, mockRun, {
      onRound: (round, s) =>
        log(
          `  ${vendor} round ${round + 1}/${ROUNDS}: bare ${Math.round(s.baseline.at(-1))}/s, mock ${Math.round(s.subject.at(-1))}/s`,
        ),
    });
    return figure({
      id: id ?? `mock.${vendor}.ratio`,
      title,
      unit: 'requests/s',
      baseline: {
        label: `bare express res.json of the same ${JSON.stringify(body).length}-byte document`,
        samples: samples.baseline,
      },
      subject: {
        label: `@reconnect-kit/mock-${vendor.split('-')[0]} (startMock, authenticated request)`,
        samples: samples.subject,
      },
      target: { op: '>=', value: 0.8 },
      notes: `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds after a 1 s warm-up each; servers in their own processes on 127.0.0.1. The mock authenticates, routes, journals and serialises each request; the baseline only serialises.`,
    });
  } finally {
    for (const server of servers) await server.stop();
  }
}

export async function run({ log }) {
  const dir = mkdtempSync(join(tmpdir(), 'reconnect-kit-bench-'));
  try {
    const figures = [];
    const only = process.env.BENCH_MOCK_ENDPOINTS?.split(',');
    for (const endpoint of ENDPOINTS) {
      if (only === undefined || only.includes(endpoint.id ?? `mock.${endpoint.vendor}.ratio`))
        figures.push(await measure(endpoint, dir, log));
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
