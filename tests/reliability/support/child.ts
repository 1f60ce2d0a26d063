import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CompiledTree } from '../../../packages/store-postgres/src/testing/compile.js';

/** A child process speaking JSON lines on stdout (same protocol as store-postgres's cross-process test). */
export interface ChildProcess {
  read<T>(): Promise<T>;
  send(command: string): void;
  /** `kill -9`: no shutdown hooks, no flush, like a machine losing power for this process. */
  crash(): Promise<void>;
  /** Asks for a clean stop (`stop` command) and waits for the exit. */
  stop(): Promise<void>;
  readonly pid: number | undefined;
}

export function startChild(
  tree: CompiledTree,
  entry: URL,
  env: Readonly<Record<string, string>>,
): ChildProcess {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', tree.hooks, tree.compiled(fileURLToPath(entry))],
    { env: { ...process.env, ...tree.env, ...env } },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    pid: child.pid,
    async read<T>(): Promise<T> {
      const { value, done } = await lines.next();
      if (done) throw new Error(`child exited early (code ${await exited}): ${stderr}`);
      return JSON.parse(value) as T;
    },
    send(command) {
      child.stdin.write(`${command}\n`);
    },
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.stdin.write('stop\n');
      const code = await exited;
      if (code !== 0) throw new Error(`child exited with ${code}: ${stderr}`);
    },
  };
}
