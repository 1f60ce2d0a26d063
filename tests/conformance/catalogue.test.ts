/**
 * The scenario catalogues are the single documented list: each validates against the committed JSON Schema and the
 * suite's own format, lists exactly the scenarios its mock implements, and docs/scenarios.md is generated from them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  jsonSchemaProblems,
  parseScenarioCatalogue,
  scenarioCatalogueJsonSchema,
} from '@reconnect-kit/contract-tests';
import { describe, expect, it } from 'vitest';
import { generateScenarioFiles } from '../../scripts/generate-scenarios-doc.mjs';

const root = join(import.meta.dirname, '..', '..');
const scenariosDir = join(root, 'fixtures', 'scenarios');
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const catalogueFiles = readdirSync(scenariosDir).filter(
  (f) => f.endsWith('.json') && f !== 'catalogue.schema.json',
);
const committedSchema = readJson(join(scenariosDir, 'catalogue.schema.json')) as Record<string, unknown>;

describe('scenario catalogues', () => {
  it('cover every provider that has a mock', () => {
    const providers = catalogueFiles.map((file) => file.replace(/\.json$/, ''));
    const mocks = readdirSync(join(root, 'mocks')).filter(
      (dir) => dir !== 'engine' && existsSync(join(root, 'mocks', dir, 'package.json')),
    );
    expect(providers.sort()).toEqual(expect.arrayContaining(mocks.sort()));
  });

  it('the committed JSON Schema is the suite format (pnpm exec node scripts/generate-scenarios-doc.mjs)', () => {
    expect(committedSchema).toEqual(scenarioCatalogueJsonSchema());
  });

  it('the JSON Schema refuses a catalogue entry without a required field', () => {
    const broken = readJson(join(scenariosDir, catalogueFiles[0]!)) as {
      scenarios: Record<string, unknown>[];
    };
    delete broken.scenarios[0]!.expected_state;
    expect(jsonSchemaProblems(committedSchema, broken)).toMatch(/expected_state/);
  });

  it.each(catalogueFiles)('%s validates against the JSON Schema and the suite format', (file) => {
    const catalogue = readJson(join(scenariosDir, file));
    expect(jsonSchemaProblems(committedSchema, catalogue)).toBeUndefined();
    expect(parseScenarioCatalogue(catalogue, file).provider).toBe(file.replace(/\.json$/, ''));
  });

  it.each(catalogueFiles)('%s lists every scenario its mock implements and nothing else', async (file) => {
    const provider = file.replace(/\.json$/, '');
    const { mockDefinition } = (await import(`../../mocks/${provider}/src/index.ts`)) as {
      mockDefinition: { scenarios: { id: string }[] };
    };
    const implemented = mockDefinition.scenarios.map((scenario) => scenario.id).sort();
    const catalogued = parseScenarioCatalogue(readJson(join(scenariosDir, file)), file)
      .scenarios.map((entry) => entry.id)
      .sort();
    expect(implemented).toEqual(catalogued);
  });

  it('docs/scenarios.md and catalogue.schema.json are up to date (pnpm exec node scripts/generate-scenarios-doc.mjs)', () => {
    for (const [path, content] of generateScenarioFiles()) {
      expect(existsSync(path) ? readFileSync(path, 'utf8') : '', `${path} is stale`).toBe(content);
    }
  });
});
