/**
 * `pnpm bench`: runs every benchmark in its own Node process (so one's heap, JIT state and open handles do not
 * skew the next), writes bench/results.json and prints each ratio with its target.
 *
 *   node bench/run.mjs                 all benchmarks
 *   node bench/run.mjs ingest-sqlite   only the named ones (results.json is written by full runs only)
 *   node bench/run.mjs --cpu-prof …    also writes a V8 CPU profile per benchmark to bench/profiles/
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = [
  'ingest-sqlite',
  'sqlite-durability',
  'webhook-http',
  'mock-endpoints',
  'startup',
  'sweep',
  'ingest-postgres',
  'fleet-sweep',
  'fleet-ingest',
];
/** A benchmark that has not reported by then is stopped and recorded as failed (keeps the run bounded; mock-endpoints
 * now measures four endpoints, about 100 s). */
const BENCHMARK_TIMEOUT_MS = 180_000;

const log = (line) => process.stderr.write(`${line}\n`);

async function child(name) {
  const { run } = await import(`./${name}.mjs`);
  const figures = await run({ log });
  // Exit once the report is out: a benchmark's leftover handles must not hold the run.
  process.send({ figures }, () => process.exit(0));
}

function runIsolated(name, { profile }) {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const profileDir = fileURLToPath(new URL('./profiles/', import.meta.url));
    // --expose-gc: benchmarks that measure memory collect garbage before taking their baseline.
    const execArgv = [
      '--expose-gc',
      ...(profile
        ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
        : []),
    ];
    const proc = fork(fileURLToPath(import.meta.url), ['--child', name], {
      execArgv,
      env: profile ? { ...process.env, BENCH_CPU_PROF_DIR: profileDir } : process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report;
    const timer = setTimeout(() => {
      report ??= { error: `timed out after ${BENCHMARK_TIMEOUT_MS} ms` };
      proc.kill('SIGKILL');
    }, BENCHMARK_TIMEOUT_MS);
    proc.on('message', (message) => {
      report ??= message;
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      report ??= { error: `exited with ${signal ?? `code ${code}`} before reporting` };
      resolve({ name, seconds: Math.round(performance.now() - startedAt) / 1000, ...report });
    });
  });
}

function format(fig) {
  const target = fig.target ? `${fig.target.op} ${fig.target.value}` : 'none';
  const measured =
    fig.target?.on === 'subject median' ? `${fig.subject.median} ${fig.unit}` : `ratio ${fig.ratio}`;
  const verdict = fig.met === undefined ? 'info' : fig.met ? 'MET' : 'MISSED';
  const versus = fig.baseline ? ` vs baseline ${fig.baseline.median}` : '';
  return `${verdict.padEnd(6)} ${fig.title}: ${measured} (target ${target}; subject ${fig.subject.median}${versus} ${fig.unit})`;
}

async function main(args) {
  const profile = args.includes('--cpu-prof');
  const names = args.filter((arg) => arg !== '--cpu-prof');
  const selected = names.length > 0 ? names : BENCHMARKS;
  const unknown = selected.filter((name) => !BENCHMARKS.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  const startedAt = new Date();
  const machine = {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: cpus()[0]?.model,
    parallelism: availableParallelism(),
    loadavgAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
  log(
    `reconnect-kit bench on Node ${machine.node}, ${machine.parallelism} CPUs, load ${machine.loadavgAtStart.join(' ')}`,
  );
  const benchmarks = [];
  for (const name of selected) {
    log(`\n[${name}]`);
    const result = await runIsolated(name, { profile });
    benchmarks.push(result);
    if (result.error) log(`FAILED ${name}: ${result.error}`);
    for (const fig of result.figures ?? []) log(format(fig));
  }
  const figures = benchmarks.flatMap((b) => b.figures ?? []);
  const results = {
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
    machine: { ...machine, loadavgAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    summary: {
      met: figures.filter((f) => f.met === true).length,
      missed: figures.filter((f) => f.met === false).map((f) => f.id),
      failed: benchmarks.filter((b) => b.error).map((b) => b.name),
    },
    benchmarks,
  };
  if (names.length === 0)
    writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nSummary');
  for (const fig of figures) console.log(format(fig));
  for (const failed of results.summary.failed) console.log(`FAILED ${failed}`);
  console.log(
    `\n${results.summary.met}/${figures.filter((f) => f.met !== undefined).length} targets met in ${results.seconds} s`,
  );
}

const [flag, name] = process.argv.slice(2);
if (flag === '--child') {
  child(name).catch((error) => {
    process.send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  });
} else {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
