/**
 * HTTP load on loopback: servers run in their own Node process (so the load generator does not share their event
 * loop) and are driven by autocannon for a bounded duration.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SERVERS_DIR = fileURLToPath(new URL('../servers/', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

/**
 * Spawns `node <servers/script> ...args` and resolves once it printed its JSON ready line (`{ "url": … }`).
 * Returns the parsed line plus `stop()`.
 */
export function startServer(script, args = []) {
  // `run.mjs --cpu-prof` profiles the servers too (written when they exit).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${[script, ...args.slice(0, 1)].map((part) => basename(part)).join('-')}.cpuprofile`,
      ]
    : [];
  const child = spawn(process.execPath, [...profile, `${SERVERS_DIR}${script}`, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not report ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${signal ?? code}) before it was ready`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const exited = new Promise((done) => child.once('exit', done));
      resolve({
        ...JSON.parse(line),
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

/**
 * Runs autocannon against `url` for `seconds`. `requests` is autocannon's request list (use `setupRequest` to
 * vary bodies). Returns successful answers per second; throws on any non-2xx answer or socket error, since a
 * benchmark that counts errors as throughput measures nothing.
 */
export async function load(url, { seconds, connections = 10, method = 'GET', headers, requests }) {
  const result = await autocannon({ url, duration: seconds, connections, method, headers, requests });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts in ${seconds} s`,
    );
  }
  return { perSecond: result['2xx'] / result.duration, answered: result['2xx'] };
}
