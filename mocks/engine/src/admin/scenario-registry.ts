import type { z } from 'zod';
import { loadScenarioCatalogue, type ScenarioCatalogue, type ScenarioCatalogueEntry } from '../catalogue.js';
import type { MockContext, MockProviderDefinition, ScenarioDefinition, ScenarioResult } from '../types.js';
import { scenarioInputSchema } from './schemas.js';

export interface ScenarioListing {
  id: string;
  description: string;
  implemented: boolean;
  catalogued: boolean;
  [field: string]: unknown;
}

/** A provider's implemented scenarios joined with its catalogue file (loaded on first use). */
export class ScenarioRegistry<S> {
  readonly #definition: MockProviderDefinition<S>;
  readonly #scenarios: Map<string, ScenarioDefinition<S>>;
  readonly #catalogueOption: ScenarioCatalogue | null | undefined;
  #catalogue: ScenarioCatalogue | null | undefined;

  constructor(definition: MockProviderDefinition<S>, catalogue: ScenarioCatalogue | null | undefined) {
    this.#definition = definition;
    this.#scenarios = new Map(definition.scenarios.map((scenario) => [scenario.id, scenario]));
    this.#catalogueOption = catalogue;
  }

  list(): ScenarioListing[] {
    const entries = this.#entries();
    const listed: ScenarioListing[] = entries.map((entry) => ({
      ...entry,
      implemented: this.#scenarios.has(entry.id),
      catalogued: true,
    }));
    for (const scenario of this.#scenarios.values()) {
      if (entries.some((entry) => entry.id === scenario.id)) continue;
      listed.push({
        id: scenario.id,
        description: scenario.description ?? '',
        implemented: true,
        catalogued: false,
      });
    }
    return listed;
  }

  implementedIds(): string[] {
    return [...this.#scenarios.keys()];
  }

  /** The body schema of an implemented scenario; `undefined` for an unknown id. */
  inputSchema(id: string): z.ZodType | undefined {
    const scenario = this.#scenarios.get(id);
    if (!scenario) return undefined;
    if (scenario.input) return scenario.input;
    const example = this.#entries().find((entry) => entry.id === id)?.input ?? {};
    return scenarioInputSchema(Object.keys(example));
  }

  async run(id: string, input: Record<string, unknown>, ctx: MockContext<S>): Promise<ScenarioResult> {
    return this.#scenarios.get(id)!.run(input, ctx);
  }

  #entries(): ScenarioCatalogueEntry[] {
    if (this.#catalogue === undefined) {
      this.#catalogue =
        this.#catalogueOption !== undefined
          ? this.#catalogueOption
          : (loadScenarioCatalogue(this.#definition.id) ?? null);
    }
    return this.#catalogue?.scenarios ?? [];
  }
}
