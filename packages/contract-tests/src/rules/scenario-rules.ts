import { DETECTION_CAPABILITY, type ScenarioEntry } from '../catalogue.js';
import type { ConformanceRun } from '../run.js';
import { check } from '../violation.js';
import { declaresReconnect, type RuleSpec } from './rule.js';

/** One rule per catalogue scenario and way of detecting it: the connection reaches the catalogue's state. */
export function scenarioRules(run: ConformanceRun): RuleSpec[] {
  return [...detectionRules(run), ...run.catalogue.scenarios.flatMap(reconnectOutcomeRule)];
}

function detectionRules(run: ConformanceRun): RuleSpec[] {
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

/**
 * For a scenario with `reconnect_outcome`: after it, a reconnect through the vendor page gives that outcome, and the
 * connection keeps its upstream id either way (a login into another account is reported, never switched to).
 */
function reconnectOutcomeRule(entry: ScenarioEntry): RuleSpec[] {
  const expected = entry.reconnect_outcome;
  if (!expected) return [];
  return [
    {
      name: `rule: ${entry.id} then a reconnect is ${expected === 'recovered' ? 'recovered' : 'an account_mismatch'}, same upstream id`,
      needs: declaresReconnect,
      async body(run, name) {
        const seeded = await run.seed();
        await run.runPreceding(seeded, entry);
        await run.breakWith(name, seeded, entry);
        await seeded.host.tick(1000);
        const { outcome, after } = await run.reconnectThroughVendor(name, seeded);
        check(
          outcome.outcome === expected,
          name,
          `completeReconnection answered "${outcome.outcome}", expected "${expected}"`,
        );
        check(
          after.upstreamId === seeded.upstream.upstreamId,
          name,
          `the connection now points at "${after.upstreamId}", not "${seeded.upstream.upstreamId}"`,
        );
        if (expected === 'account_mismatch')
          check(
            after.state !== 'connected',
            name,
            'the mismatched login marked the original connection connected',
          );
      },
    },
  ];
}
