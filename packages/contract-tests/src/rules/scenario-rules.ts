import { DETECTION_CAPABILITY, type ScenarioEntry } from '../catalogue.js';
import type { ConformanceRun } from '../run.js';
import { check } from '../violation.js';
import { declaresReconnect, type RuleSpec } from './rule.js';

/** One rule per catalogue scenario and way of detecting it: the connection reaches the catalogue's state. */
export function scenarioRules(run: ConformanceRun): RuleSpec[] {
  return [
    ...detectionRules(run),
    ...run.catalogue.scenarios.flatMap(reconnectOutcomeRule),
    ...earlyWarningRules(run),
  ];
}

/**
 * For a scenario marked `early_warning`, per way of detecting it: one `connection.expiring` with a deadline still
 * ahead, the state as the catalogue says (the connection keeps working), and nothing new when detected again.
 */
function earlyWarningRules(run: ConformanceRun): RuleSpec[] {
  return run.catalogue.scenarios
    .filter((entry) => entry.early_warning)
    .flatMap((entry) =>
      entry.detected_by
        .filter((detection) => detection === 'webhook' || detection === 'status_check')
        .map(
          (detection): RuleSpec => ({
            name: `rule: ${entry.id} detected by ${detection} is one early warning, fired once`,
            needs: (current) =>
              current.supports(detection)
                ? undefined
                : `provider does not declare capability ${DETECTION_CAPABILITY[detection]}`,
            async body(current, name) {
              const seeded = await current.seed();
              await current.runPreceding(seeded, entry);
              const expiring = async () =>
                (await seeded.host.eventTypes(seeded.connection.id)).filter(
                  (type) => type === 'connection.expiring',
                ).length;
              const first = await current.detect(name, seeded, entry, detection);
              check(
                (await expiring()) === 1,
                name,
                `detecting ${entry.id} emitted ${await expiring()} connection.expiring events, expected 1`,
              );
              const deadline = first.warning ? Date.parse(first.warning.deadline) : Number.NaN;
              check(
                deadline > seeded.host.clock.now().getTime(),
                name,
                `the connection's warning has no deadline ahead (${JSON.stringify(first.warning ?? null)})`,
              );
              check(
                first.stateChangedAt === seeded.connection.stateChangedAt,
                name,
                `the warning changed the state (now "${first.state}")`,
              );
              await seeded.host.tick(1000);
              await current.detect(name, seeded, entry, detection);
              check(
                (await expiring()) === 1,
                name,
                `detecting ${entry.id} again emitted another connection.expiring (same deadline, same episode)`,
              );
            },
          }),
        ),
    );
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
