/** Every fenced block flagged `run` in README.md, docs/** and the package READMEs runs without an error. */
import { afterAll, describe, expect, it } from 'vitest';
import { collectDocBlocks, createBlockWorkspace, documentationFiles, runDocBlock } from './doc-blocks.js';

const blocks = collectDocBlocks();
const workspace = createBlockWorkspace();
afterAll(() => workspace.cleanup());

describe('runnable documentation', () => {
  it('scans the root README and docs/', () => {
    expect(documentationFiles()).toContain('README.md');
    expect(documentationFiles().some((file) => file.startsWith('docs/'))).toBe(true);
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))(
    '%s runs',
    async (_, block) => {
      await runDocBlock(block, workspace.dir);
    },
    // The block's own timeout (runDocBlock enforces it) plus time to report.
    60_000,
  );
});
