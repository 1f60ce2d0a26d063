/**
 * Figure 4: start-up. (a) In-process `startArgyleMock` / `startFinchMock` until listening, modules already
 * loaded, against a bare express `listen` in the same process. (b) The CLI (`node mocks/engine/dist/cli.js
 * argyle --port 0`) until its JSON ready line, against a bare `node` script that loads express, listens and
 * prints a line. Both timed from the parent, so process creation and module loading count on both sides.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { importBuilt, importDependencyOf, packagePath } from './lib/packages.mjs';
import { figure, interleave } from './lib/stats.mjs';

const IN_PROCESS_ROUNDS = 15;
const CLI_ROUNDS = 9;
const BARE_LISTEN = fileURLToPath(new URL('./servers/bare-listen.mjs', import.meta.url));

/** Milliseconds from spawning `node …args` to its first stdout line (which must be JSON with a url). */
function timeToReadyLine(args) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before its ready line`)),
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      const elapsed = performance.now() - startedAt;
      child.removeAllListeners('exit');
      if (!JSON.parse(line).url) reject(new Error(`no url in the ready line of ${args.join(' ')}: ${line}`));
      child.once('exit', () => resolve(elapsed));
      child.kill('SIGTERM');
    });
  });
}

async function timeInProcess(start) {
  const startedAt = performance.now();
  const server = await start();
  const elapsed = performance.now() - startedAt;
  await server.close();
  return elapsed;
}

export async function run({ log }) {
  const { startArgyleMock } = await importBuilt('mock-argyle');
  const { startFinchMock } = await importBuilt('mock-finch');
  const express = await importDependencyOf('mock-engine', 'express');
  const bareListen = () =>
    new Promise((resolve) => {
      const app = express();
      app.get('/', (_req, res) => res.json({ ok: true }));
      const server = app.listen(0, '127.0.0.1', () =>
        resolve({ close: () => new Promise((done) => server.close(done)) }),
      );
    });
  const bare = () => timeInProcess(bareListen);
  // First starts pay for lazy initialisation (JIT, schema compilation): warm both up once, not counted.
  await bare();
  const firstStart = {
    argyle: await timeInProcess(() => startArgyleMock({ port: 0 })),
    finch: await timeInProcess(() => startFinchMock({ port: 0 })),
  };
  const figures = [];
  for (const [vendor, start] of [
    ['argyle', () => startArgyleMock({ port: 0 })],
    ['finch', () => startFinchMock({ port: 0 })],
  ]) {
    const samples = await interleave(IN_PROCESS_ROUNDS, bare, () => timeInProcess(start));
    log(`  in-process ${vendor}: mock ${samples.subject.map(Math.round).join(' ')} ms`);
    figures.push(
      figure({
        id: `startup.in-process.${vendor}`,
        title: `In-process ${vendor} mock start (median)`,
        unit: 'ms',
        baseline: { label: 'express() + listen(0) in the same process', samples: samples.baseline },
        subject: {
          label: `start${vendor === 'argyle' ? 'Argyle' : 'Finch'}Mock({ port: 0 }) until listening`,
          samples: samples.subject,
        },
        target: { op: '<=', value: 20 },
        absolute: true,
        notes: `${IN_PROCESS_ROUNDS} interleaved starts after one warm-up start (that first start took ${firstStart[vendor].toFixed(1)} ms); modules already imported; each server closed before the next start.`,
      }),
    );
  }
  const cli = packagePath('mock-engine', 'dist/cli.js');
  const samples = await interleave(
    CLI_ROUNDS,
    () => timeToReadyLine([BARE_LISTEN]),
    () => timeToReadyLine([cli, 'argyle', '--port', '0']),
    {
      onRound: (round, s) =>
        log(
          `  cli round ${round + 1}/${CLI_ROUNDS}: bare ${Math.round(s.baseline.at(-1))} ms, cli ${Math.round(s.subject.at(-1))} ms`,
        ),
    },
  );
  figures.push(
    figure({
      id: 'startup.cli.ratio',
      title: 'CLI ready line vs bare node express listen',
      unit: 'ms',
      baseline: {
        label: 'node bench/servers/bare-listen.mjs (load express, listen, print)',
        samples: samples.baseline,
      },
      subject: {
        label: 'node mocks/engine/dist/cli.js argyle --port 0 until the JSON line',
        samples: samples.subject,
      },
      target: { op: '<=', value: 2 },
      notes: `${CLI_ROUNDS} interleaved spawns each, timed from spawn to the first stdout line, then SIGTERM; lower is better, so the ratio must stay at or under the target.`,
    }),
  );
  return figures;
}
