import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { MockProviderDefinition } from './types.js';

const catalogueEntrySchema = z.looseObject({
  id: z.string().min(1),
  description: z.string(),
  input: z.record(z.string(), z.unknown()).optional(),
  vendor_signal: z.unknown().optional(),
  expected_state: z.unknown().optional(),
  expected_events: z.array(z.unknown()).optional(),
  user_fix: z.unknown().optional(),
});

const catalogueSchema = z.looseObject({
  provider: z.string().min(1),
  scenarios: z.array(catalogueEntrySchema),
});

export type ScenarioCatalogueEntry = z.infer<typeof catalogueEntrySchema>;
export type ScenarioCatalogue = z.infer<typeof catalogueSchema>;

/** Walks up from `start` to the first directory holding `fixtures/scenarios`. */
export function findFixturesDir(start: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'fixtures');
    if (existsSync(join(candidate, 'scenarios'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads `fixtures/scenarios/<provider>.json` from the repository's `fixtures/` directory (found by walking up
 * from this module, or given). Returns `undefined` when there is no such file (e.g. an installed package).
 */
export function loadScenarioCatalogue(
  provider: string,
  options: { fixturesDir?: string } = {},
): ScenarioCatalogue | undefined {
  const fixturesDir = options.fixturesDir ?? findFixturesDir();
  if (fixturesDir === undefined) return undefined;
  const file = join(fixturesDir, 'scenarios', `${provider}.json`);
  if (!existsSync(file)) return undefined;
  const parsed = catalogueSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a valid scenario catalogue: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.provider !== provider) {
    throw new Error(`${file} declares provider "${parsed.data.provider}", expected "${provider}"`);
  }
  return parsed.data;
}

export interface CatalogueCheck {
  /** Scenario ids implemented by the definition but absent from the catalogue. */
  missingFromCatalogue: string[];
  /** Catalogue ids the definition does not implement. */
  notImplemented: string[];
  duplicateIds: string[];
}

/** Compares a definition's scenarios with its catalogue; every list is empty when they agree. */
export function checkScenarioCatalogue<S>(
  definition: MockProviderDefinition<S>,
  catalogue: ScenarioCatalogue,
): CatalogueCheck {
  const implemented = definition.scenarios.map((scenario) => scenario.id);
  const catalogued = catalogue.scenarios.map((entry) => entry.id);
  const duplicates = [...implemented, ...catalogued].filter(
    (id, index, all) =>
      all.indexOf(id) !== index && (countOf(implemented, id) > 1 || countOf(catalogued, id) > 1),
  );
  return {
    missingFromCatalogue: implemented.filter((id) => !catalogued.includes(id)),
    notImplemented: catalogued.filter((id) => !implemented.includes(id)),
    duplicateIds: [...new Set(duplicates)],
  };
}

/** Throws a message naming every mismatch; for vendor test suites. */
export function assertScenarioCatalogue<S>(
  definition: MockProviderDefinition<S>,
  catalogue?: ScenarioCatalogue,
): void {
  const loaded = catalogue ?? loadScenarioCatalogue(definition.id);
  if (!loaded) throw new Error(`no scenario catalogue fixtures/scenarios/${definition.id}.json found`);
  const check = checkScenarioCatalogue(definition, loaded);
  const problems = [
    check.missingFromCatalogue.length > 0 && `not in the catalogue: ${check.missingFromCatalogue.join(', ')}`,
    check.notImplemented.length > 0 && `catalogued but not implemented: ${check.notImplemented.join(', ')}`,
    check.duplicateIds.length > 0 && `duplicate ids: ${check.duplicateIds.join(', ')}`,
  ].filter(Boolean);
  if (problems.length > 0)
    throw new Error(`scenario catalogue mismatch for ${definition.id}: ${problems.join('; ')}`);
}

function countOf(ids: string[], id: string): number {
  return ids.filter((candidate) => candidate === id).length;
}
