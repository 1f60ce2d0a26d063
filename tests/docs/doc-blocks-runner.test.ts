/** The doc-block runner itself: fence parsing, the `run` flag, timeouts, and failures that name file and line. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createBlockWorkspace, type DocBlock, extractRunnableBlocks, runDocBlock } from './doc-blocks.js';

const workspace = createBlockWorkspace();
afterAll(() => workspace.cleanup());

const block = (language: string, code: string, timeoutMs = 20_000): DocBlock => ({
  file: 'docs/example.md',
  line: 7,
  language,
  code,
  timeoutMs,
});

describe('extractRunnableBlocks', () => {
  it('keeps only blocks flagged run, with the line of the opening fence and the timeout', () => {
    const markdown = [
      '# Title', // 1
      '```ts', // 2
      'skipped();',
      '```',
      '',
      '```ts run', // 6
      'const a = 1;',
      '```',
      '~~~sh run timeout=5', // 9
      'echo hi',
      '~~~',
      '````md', // 12
      '```ts run',
      'nested();',
      '```',
      '````',
    ].join('\n');
    expect(extractRunnableBlocks(markdown, 'x.md')).toEqual([
      { file: 'x.md', line: 6, language: 'ts', code: 'const a = 1;', timeoutMs: 30_000 },
      { file: 'x.md', line: 9, language: 'sh', code: 'echo hi', timeoutMs: 5_000 },
    ]);
  });

  it('refuses a run flag on a language it cannot run, naming file and line', () => {
    expect(() => extractRunnableBlocks('text\n```python run\nprint(1)\n```\n', 'docs/a.md')).toThrow(
      'docs/a.md:2: a `run` block must be ts, js or sh, not "python"',
    );
    expect(() => extractRunnableBlocks('```sh run timeout=soon\n```\n', 'docs/a.md')).toThrow(
      'docs/a.md:1: bad timeout=soon',
    );
  });
});

describe('runDocBlock', () => {
  it('runs a TypeScript block that imports a workspace package from its sources', async () => {
    await runDocBlock(
      block(
        'ts',
        [
          "import { CONNECTION_STATES, type ConnectionState } from '@reconnect-kit/core';",
          'const first: ConnectionState = CONNECTION_STATES[0]!;',
          "if (first !== 'pending') throw new Error('unexpected first state: ' + first);",
          '(globalThis as Record<string, unknown>).docBlockRan = first;',
        ].join('\n'),
      ),
      workspace.dir,
    );
    expect((globalThis as Record<string, unknown>).docBlockRan).toBe('pending');
  });

  it('fails a throwing block with the file and line of its fence', async () => {
    const consoleLog = console.log;
    const failing = block('js', "console.log('step', { n: 1 });\nthrow new Error('boom');");
    const error = await runDocBlock(failing, workspace.dir).catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^docs\/example\.md:7 \(js block\) failed: Error: boom\n/);
    expect((error as Error).message).toMatch(/\nthe block printed:\nstep \{ n: 1 \}$/);
    expect(console.log, 'console is restored after the block').toBe(consoleLog);
  });

  it("runs shell blocks with bash -euo pipefail in an empty temporary directory, in a reader's shell", async () => {
    // No workspace tools and no pnpm on PATH: what the README's machine (Node and npm) has, not what `pnpm test` has.
    await runDocBlock(
      block(
        'sh',
        [
          'test -z "$(ls -A)"',
          'for tool in tsc vitest biome pnpm; do if command -v $tool; then exit 1; fi; done',
          'test "$(env | grep -c \'^npm_\' || true)" = 0',
        ].join('\n'),
      ),
      workspace.dir,
    );
    await expect(
      runDocBlock(block('sh', 'echo before-the-failure\nfalse | cat\necho unreachable'), workspace.dir),
    ).rejects.toThrow(
      /^docs\/example\.md:7 \(sh block\) failed: bash exited with 1; output:\nbefore-the-failure\n$/,
    );
  });

  it('stops what a shell block left running in the background when it ends', async () => {
    const pidFile = join(workspace.dir, 'background.pid');
    await runDocBlock(block('sh', `sleep 30 > /dev/null 2>&1 &\necho $! > ${pidFile}`), workspace.dir);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await vi.waitFor(() => expect(isRunning(pid), `background job ${pid} still running`).toBe(false));
  });

  it('stops blocks that outlive their timeout', async () => {
    await expect(runDocBlock(block('sh', 'sleep 5', 300), workspace.dir)).rejects.toThrow(
      /bash was stopped after the 0\.3 s timeout/,
    );
    await expect(
      runDocBlock(
        block('ts', 'await new Promise((resolve) => setTimeout(resolve, 5_000));', 300),
        workspace.dir,
      ),
    ).rejects.toThrow(/did not finish within 0\.3 s/);
  });
});

/** Alive and not a zombie (a killed orphan stays a zombie until some parent reaps it; it runs nothing). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return !/^State:\s+Z/m.test(status);
}
