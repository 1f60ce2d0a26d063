/**
 * `pnpm new-provider <id>` end to end, in a throwaway copy of the repository (tracked files + links to the installed
 * node_modules): the scaffold typechecks and lints at once, its conformance test RUNS and FAILS with the TODO
 * messages, and deleting what it created leaves `git status` clean (it only adds files).
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createdRoots, namesFor } from '../scripts/new-provider.mjs';
import { scratchDir } from './scratch-dir.js';

const repo = join(import.meta.dirname, '..');
const env = {
  ...process.env,
  // Child tools run on this worker's Node (24), not the machine's default one.
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  CI: 'true',
};

function run(cwd: string, command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(scratchDir(), 'reconnect-kit-new-provider-'));
  const tracked = run(repo, 'git', ['ls-files', '-z']).output.split('\0').filter(Boolean);
  for (const file of tracked) {
    if (!existsSync(join(repo, file))) continue; // deleted in the work tree
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(repo, file), join(copy, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
  for (const parent of ['packages', 'mocks', 'examples']) {
    if (!existsSync(join(repo, parent))) continue;
    for (const name of readdirSync(join(repo, parent))) {
      const modules = join(repo, parent, name, 'node_modules');
      if (existsSync(modules) && existsSync(join(copy, parent, name)))
        symlinkSync(modules, join(copy, parent, name, 'node_modules'));
    }
  }
  expect(run(copy, 'git', ['init', '-q']).status).toBe(0);
  writeFileSync(join(copy, '.git', 'info', 'exclude'), 'node_modules\n');
  expect(run(copy, 'git', ['add', '-A']).status).toBe(0);
  expect(run(copy, 'git', ['commit', '-q', '-m', 'copy']).status).toBe(0);
}, 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

const scaffold = (...args: string[]) => run(copy, process.execPath, ['scripts/new-provider.mjs', ...args]);

describe('pnpm new-provider', () => {
  it('derives every name a template uses from the id', () => {
    expect(namesFor('acme-pay')).toEqual({
      id: 'acme-pay',
      Id: 'AcmePay',
      camelId: 'acmePay',
      ID: 'ACME_PAY',
      Name: 'Acme Pay',
    });
  });

  it('refuses an id that is not ^[a-z][a-z0-9-]*$, writing nothing', () => {
    for (const bad of ['Acme', '1acme', 'acme_pay', '../acme']) {
      const result = scaffold(bad);
      expect(result.status, bad).toBe(2);
      expect(result.output).toContain(`invalid provider id "${bad}"`);
    }
    expect(scaffold().status).toBe(2);
    expect(run(copy, 'git', ['status', '--porcelain']).output).toBe('');
  });

  it('scaffolds a provider that typechecks, lints, and whose conformance test runs and fails with TODOs', () => {
    const created = scaffold('acme');
    expect(created.status, created.output).toBe(0);
    for (const path of createdRoots('acme')) {
      expect(created.output).toContain(`created ${path}`);
      expect(existsSync(join(copy, path)), path).toBe(true);
    }
    expect(created.output).not.toContain('not linked');
    for (const dir of ['packages/acme', 'mocks/acme'])
      expect(readFileSync(join(copy, dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(copy, 'LICENSE'), 'utf8'),
      );

    // Refuses to overwrite: the second run writes nothing and says what exists.
    const again = scaffold('acme');
    expect(again.status).toBe(1);
    expect(again.output).toContain('refusing to overwrite: packages/acme');

    writeFileSync(
      join(copy, 'tsconfig.acme.json'),
      JSON.stringify({
        extends: './tsconfig.base.json',
        compilerOptions: { noEmit: true, customConditions: ['@reconnect-kit/source'] },
        include: ['packages/acme/src/**/*.ts', 'mocks/acme/src/**/*.ts', 'tests/conformance/acme.test.ts'],
      }),
    );
    // One checker thread, as the docs' check: this runs beside other test files (four cost a third more CPU).
    const typecheck = run(copy, join(copy, 'node_modules', '.bin', 'tsc'), [
      '-p',
      'tsconfig.acme.json',
      '--checkers',
      '1',
    ]);
    expect(typecheck.status, typecheck.output).toBe(0);
    rmSync(join(copy, 'tsconfig.acme.json'));

    const lint = run(copy, join(copy, 'node_modules', '.bin', 'biome'), ['check', ...createdRoots('acme')]);
    expect(lint.status, lint.output).toBe(0);

    const report = join(copy, 'acme-report.json');
    const conformance = run(copy, join(copy, 'node_modules', '.bin', 'vitest'), [
      'run',
      'tests/conformance/acme.test.ts',
      '--reporter=json',
      `--outputFile=${report}`,
    ]);
    expect(conformance.status, conformance.output).not.toBe(0);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    rmSync(report);
    const tests = results.testResults.flatMap((file) => file.assertionResults);
    const failed = tests.filter((test) => test.status === 'failed');
    expect(tests.length).toBeGreaterThan(5);
    expect(failed.map((test) => test.title)).toContain(
      'rule: acme.reauth detected by webhook reaches needs_reauth',
    );
    // Each failure names its rule and what is missing: a TODO, or a scenario the one-example catalogue lacks.
    for (const test of failed) {
      expect(test.title).toMatch(/^rule: /);
      expect(test.failureMessages.join('\n'), test.title).toMatch(
        new RegExp(
          `${test.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(TODO\\(acme\\): implement|its catalogue has no)`,
        ),
      );
    }
    expect(
      failed.filter((test) => test.failureMessages.join('').includes('TODO(acme)')).length,
    ).toBeGreaterThan(5);
    // Only the config rules (real code in the scaffold) may pass; nothing that needs the vendor does.
    const passed = tests.filter((test) => test.status === 'passed').map((test) => test.title);
    for (const title of passed) expect(title).toMatch(/^rule: the config schema/);

    for (const path of createdRoots('acme')) rmSync(join(copy, path), { recursive: true, force: true });
    expect(run(copy, 'git', ['status', '--porcelain']).output).toBe('');
  }, 90_000);
});
