import { container as rootContainer } from 'tsyringe';
import type { ConformanceRun } from '../run.js';
import { check } from '../violation.js';
import type { RuleSpec } from './rule.js';

/** A value of the wrong type for whatever `value` is. */
function wrongTypeFor(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? 'not-a-number-or-boolean' : 42;
}

/** Builds the provider with `config`; returns what it threw, or undefined when it accepted the config. */
function buildWith(run: ConformanceRun, config: Record<string, unknown>): unknown {
  try {
    run.options.provider({ container: rootContainer.createChildContainer(), config, env: run.env });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Checks one bad config: the schema and the provider's registration both refuse it, naming `field`. */
function expectRejected(
  run: ConformanceRun,
  name: string,
  config: Record<string, unknown>,
  field: string,
): void {
  const parsed = run.options.config.schema.safeParse(config);
  check(!parsed.success, name, `the config schema accepted a bad "${field}"`);
  check(
    parsed.error.issues.some((issue) => issue.path.includes(field)) ||
      JSON.stringify(parsed.error.issues).includes(field),
    name,
    `the schema's issues do not name "${field}": ${JSON.stringify(parsed.error.issues)}`,
  );
  const error = buildWith(run, config);
  check(error !== undefined, name, `the provider was built with a bad "${field}"`);
  const message = error instanceof Error ? error.message : String(error);
  check(message.includes(field), name, `the provider's config error does not name "${field}": ${message}`);
  for (const secret of run.options.secrets)
    check(!message.includes(secret), name, `the config error for "${field}" echoes a secret value`);
}

export function configRules(): RuleSpec[] {
  return [
    {
      name: 'rule: the config schema accepts the valid config',
      needs: () => undefined,
      async body(run, name) {
        const valid = run.options.config.valid(run.env);
        const parsed = run.options.config.schema.safeParse(valid);
        check(
          parsed.success,
          name,
          () => `the valid config was rejected: ${JSON.stringify(parsed.success ? [] : parsed.error.issues)}`,
        );
        const error = buildWith(run, valid);
        check(
          error === undefined,
          name,
          () => `the provider could not be built from the valid config: ${String(error)}`,
        );
      },
    },
    {
      name: 'rule: the config schema rejects a wrongly typed field, naming it',
      needs: () => undefined,
      async body(run, name) {
        const valid = run.options.config.valid(run.env);
        for (const [field, value] of Object.entries(valid))
          expectRejected(run, name, { ...valid, [field]: wrongTypeFor(value) }, field);
      },
    },
    {
      name: 'rule: the config schema rejects an unknown field, naming it',
      needs: () => undefined,
      async body(run, name) {
        expectRejected(
          run,
          name,
          { ...run.options.config.valid(run.env), notAConfigField: true },
          'notAConfigField',
        );
      },
    },
  ];
}
