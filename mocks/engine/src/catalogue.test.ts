import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  assertScenarioCatalogue,
  checkScenarioCatalogue,
  findFixturesDir,
  loadScenarioCatalogue,
} from './catalogue.js';
import { testProvider } from './testing/test-provider.js';

function fixturesWith(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'mock-engine-catalogue-'));
  mkdirSync(join(root, 'fixtures', 'scenarios'), { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(root, 'fixtures', 'scenarios', name), JSON.stringify(content));
  }
  return join(root, 'fixtures');
}

const entry = (id: string) => ({
  id,
  description: `${id} happens`,
  input: { target: 'acc_1' },
  expected_events: [],
});

describe('scenario catalogue', () => {
  test("finds the repository's fixtures/ directory by walking up", () => {
    expect(findFixturesDir()).toMatch(/[/\\]fixtures$/);
    const nested = join(fixturesWith({}), '..', 'a', 'b');
    mkdirSync(nested, { recursive: true });
    expect(findFixturesDir(nested)).toBe(join(nested, '..', '..', 'fixtures'));
  });

  test('loads fixtures/scenarios/<provider>.json; missing file → undefined', () => {
    const fixturesDir = fixturesWith({
      'testprov.json': { provider: 'testprov', scenarios: [entry('account_disconnected')] },
    });
    expect(
      loadScenarioCatalogue('testprov', { fixturesDir })?.scenarios.map((scenario) => scenario.id),
    ).toEqual(['account_disconnected']);
    expect(loadScenarioCatalogue('other', { fixturesDir })).toBeUndefined();
  });

  test('rejects malformed files and a provider mismatch with a message naming the file', () => {
    const fixturesDir = fixturesWith({
      'testprov.json': { provider: 'testprov', scenarios: [{ description: 'no id' }] },
      'wrong.json': { provider: 'testprov', scenarios: [] },
    });
    expect(() => loadScenarioCatalogue('testprov', { fixturesDir })).toThrow(/testprov\.json is not a valid/);
    expect(() => loadScenarioCatalogue('wrong', { fixturesDir })).toThrow(/declares provider "testprov"/);
  });

  test('checks definitions against the catalogue in both directions', () => {
    const agreeing = {
      provider: 'testprov',
      scenarios: [entry('account_disconnected'), entry('two_events')],
    };
    expect(checkScenarioCatalogue(testProvider, agreeing)).toEqual({
      missingFromCatalogue: [],
      notImplemented: [],
      duplicateIds: [],
    });
    expect(() => assertScenarioCatalogue(testProvider, agreeing)).not.toThrow();

    const drifting = {
      provider: 'testprov',
      scenarios: [entry('two_events'), entry('later'), entry('later')],
    };
    expect(checkScenarioCatalogue(testProvider, drifting)).toEqual({
      missingFromCatalogue: ['account_disconnected'],
      notImplemented: ['later', 'later'],
      duplicateIds: ['later'],
    });
    expect(() => assertScenarioCatalogue(testProvider, drifting)).toThrow(
      'scenario catalogue mismatch for testprov: not in the catalogue: account_disconnected; ' +
        'catalogued but not implemented: later, later; duplicate ids: later',
    );
  });
});
