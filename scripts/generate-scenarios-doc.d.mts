import type { ScenarioCatalogue } from '@reconnect-kit/contract-tests';

/** Every catalogue in fixtures/scenarios, validated, sorted by provider. */
export function loadCatalogues(): ScenarioCatalogue[];
/** The whole docs/scenarios.md for `catalogues`. */
export function renderScenariosDoc(catalogues: readonly ScenarioCatalogue[]): string;
/** The committed JSON Schema of the catalogue format (fixtures/scenarios/catalogue.schema.json). */
export function renderCatalogueSchema(): string;
/** Map of absolute output path to generated content. */
export function generateScenarioFiles(): Map<string, string>;
