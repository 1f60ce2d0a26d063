import { DETECTION_CAPABILITY } from '../catalogue.js';
import type { ConformanceRun } from '../run.js';
import type { RuleSpec } from './rule.js';

/** One rule per catalogue scenario and way of detecting it: the connection reaches the catalogue's state. */
export function scenarioRules(run: ConformanceRun): RuleSpec[] {
  return run.catalogue.scenarios.flatMap((entry) =>
    entry.detected_by.map(
      (detection): RuleSpec => ({
        name: `rule: ${entry.id} detected by ${detection} reaches ${entry.expected_state}`,
        needs: (current) =>
          current.supports(detection)
            ? undefined
            : detection === 'reconnect_attempt'
              ? 'provider declares neither oneClickReconnect nor redirectReconnect'
              : `provider does not declare capability ${DETECTION_CAPABILITY[detection]}`,
        async body(current, name) {
          const seeded = await current.seed();
          await current.runPreceding(seeded, entry);
          await current.detect(name, seeded, entry, detection);
        },
      }),
    ),
  );
}
