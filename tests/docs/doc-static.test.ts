/** The documentation's code compiles against the published types and passes the repository's lint. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collectDocBlocks,
  type DocBlock,
  documentationFiles,
  extractShellBlocks,
  extractTypeScriptBlocks,
  REPO_ROOT,
} from './doc-blocks.js';
import { lintBlocks, typecheckBlocks } from './doc-static-checks.js';

const typescriptBlocks = documentationFiles().flatMap((file) =>
  extractTypeScriptBlocks(readFileSync(join(REPO_ROOT, file), 'utf8'), file),
);

const block = (code: string): DocBlock => ({
  file: 'docs/x.md',
  line: 3,
  language: 'ts',
  code,
  timeoutMs: 0,
});

describe('TypeScript blocks type-check against the published package types', () => {
  it('every ts block of the docs and READMEs', async () => {
    expect(typescriptBlocks.length).toBeGreaterThan(10);
    expect(await typecheckBlocks(typescriptBlocks)).toEqual([]);
  });

  it('reports a call the published type lacks, with the line in the markdown, and allows reader-supplied names', async () => {
    const problems = await typecheckBlocks([
      block(
        [
          "import { RECONNECTION_SERVICE, type ReconnectionServiceApi } from '@reconnect-kit/core';",
          "import { container } from 'tsyringe';",
          'const service = container.resolve<ReconnectionServiceApi>(RECONNECTION_SERVICE);',
          'service.subscribe(notifyYourApp); // notifyYourApp: the reader’s',
          'service.noSuchMethod();',
        ].join('\n'),
      ),
    ]);
    expect(problems).toEqual([
      "docs/x.md:8 TS2339 Property 'noSuchMethod' does not exist on type 'ReconnectionServiceApi'.",
    ]);
  });
});

describe('runnable script blocks pass biome check', () => {
  it('every ts/js run block', async () => {
    const scripts = collectDocBlocks().filter((b) => b.language === 'ts' || b.language === 'js');
    expect(scripts.length).toBeGreaterThan(3);
    expect(await lintBlocks(scripts)).toEqual([]);
  });
});

describe('shell blocks never wait forever', () => {
  // `until [ -s "$ready" ]` hangs for good when the process it waits for failed to start: bound every wait
  // (`for _ in $(seq 300); do …; sleep 0.1; done`) and say what did not happen.
  it('no until/while loops in any shell block', () => {
    const shellBlocks = documentationFiles().flatMap((file) =>
      extractShellBlocks(readFileSync(join(REPO_ROOT, file), 'utf8'), file),
    );
    expect(shellBlocks.length).toBeGreaterThan(5);
    const unbounded = shellBlocks.flatMap((block) =>
      block.code
        .split('\n')
        .map((line, index) => ({ line, at: `${block.file}:${block.line + 1 + index}` }))
        .filter(({ line }) => /(^|[;&|]\s*)(until|while)\s/.test(line.trim()))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    );
    expect(unbounded).toEqual([]);
  });
});
