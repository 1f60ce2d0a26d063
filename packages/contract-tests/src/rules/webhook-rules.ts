import { isReconnectKitError } from '@reconnect-kit/core';
import type { ScenarioEntry } from '../catalogue.js';
import type { Delivery } from '../harness/webhook-receiver.js';
import type { ConformanceRun, Seeded } from '../run.js';
import { check } from '../violation.js';
import { declares, type RuleSpec } from './rule.js';

/** Scenarios that break a connection by webhook into a non-terminal problem state. */
const webhookBreaks = (run: ConformanceRun): ScenarioEntry[] =>
  run
    .breakingScenarios()
    .filter(
      (entry) =>
        entry.detected_by.includes('webhook') &&
        entry.expected_state !== 'revoked' &&
        entry.expected_state !== 'disconnected',
    );

/** Two webhook scenarios that end in different states: the second must win whatever the delivery order. */
function orderedPair(run: ConformanceRun): [ScenarioEntry, ScenarioEntry] | undefined {
  const breaks = webhookBreaks(run);
  for (const first of breaks) {
    const second = breaks.find((other) => other.expected_state !== first.expected_state);
    if (second) return [first, second];
  }
  return undefined;
}

/**
 * The first webhook scenario that breaks a connection. A provider that declares webhooks must catalogue one, or its
 * webhook handling could never be checked: that fails the rule instead of skipping it.
 */
function firstWebhookBreak(run: ConformanceRun, name: string): ScenarioEntry {
  const entry = webhookBreaks(run)[0];
  check(
    entry,
    name,
    'the provider declares webhooks, but its catalogue has no non-terminal problem scenario detected by webhook',
  );
  return entry;
}

/** Ingests a delivery that must be refused with webhook_signature_invalid and change nothing. */
async function expectRefused(name: string, ingest: () => Promise<unknown>, what: string): Promise<void> {
  const error = await ingest().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  check(error !== undefined, name, `${what} was accepted`);
  check(
    isReconnectKitError(error) && error.code === 'webhook_signature_invalid',
    name,
    () => `${what} was refused with ${String(error)}, expected webhook_signature_invalid (HTTP 401)`,
  );
}

export function webhookRules(): RuleSpec[] {
  return [
    {
      name: 'rule: duplicate deliveries change nothing',
      needs: declares('webhooks'),
      async body(run, name) {
        const entry = firstWebhookBreak(run, name);
        const seeded = await run.seed();
        const { host, connection } = seeded;
        await run.env.updateWebhooks({ duplicate: true });
        await run.runScenario(seeded, entry);
        const deliveries = await host.collect();
        await run.env.updateWebhooks({ duplicate: false });
        const results = [];
        for (const delivery of deliveries) results.push(await host.ingest(delivery));
        // Replaying everything once more is a second duplicate of each delivery.
        for (const delivery of deliveries) results.push(await host.ingest(delivery));
        const duplicates = results.reduce((sum, result) => sum + result.duplicates, 0);
        check(
          duplicates >= deliveries.length,
          name,
          `only ${duplicates} of ${deliveries.length * 2} redeliveries were recognised as duplicates`,
        );
        const after = await host.service.getConnection(connection.id);
        check(
          after.state === entry.expected_state,
          name,
          `duplicates left the connection "${after.state}", expected "${entry.expected_state}"`,
        );
        const types = await host.eventTypes(connection.id);
        const broken = types.filter((type) => type === 'connection.broken' || type === 'connection.degraded');
        check(
          broken.length === 1,
          name,
          `one break delivered several times emitted ${broken.length} problem events (${types.join(', ')})`,
        );
      },
    },
    {
      name: 'rule: out-of-order deliveries change nothing',
      needs: declares('webhooks'),
      async body(run, name) {
        const pair = orderedPair(run);
        check(
          pair,
          name,
          'the provider declares webhooks, but its catalogue has no two webhook scenarios ending in different ' +
            'non-terminal states (needed to deliver them out of order)',
        );
        const [older, newer] = pair;
        const seeded = await run.seed();
        const { host, connection } = seeded;
        await run.runScenario(seeded, older);
        const olderDeliveries = await host.collect();
        await host.tick(60_000);
        await run.runScenario(seeded, newer);
        const newerDeliveries = await host.collect();
        for (const delivery of newerDeliveries) await host.ingest(delivery);
        const current = await host.service.getConnection(connection.id);
        check(
          current.state === newer.expected_state,
          name,
          `${newer.id} left the connection "${current.state}", expected "${newer.expected_state}"`,
        );
        const before = await host.eventTypes(connection.id);
        for (const delivery of olderDeliveries) await host.ingest(delivery);
        const after = await host.service.getConnection(connection.id);
        check(
          after.state === newer.expected_state,
          name,
          `the older ${older.id} delivery, arriving last, moved the connection from "${newer.expected_state}" to "${after.state}"`,
        );
        const types = await host.eventTypes(connection.id);
        check(
          types.length === before.length,
          name,
          `the older delivery emitted ${types.slice(before.length).join(', ')}`,
        );
      },
    },
    {
      name: 'rule: bad signatures are rejected',
      needs: declares('webhooks'),
      async body(run, name) {
        const entry = firstWebhookBreak(run, name);
        const seeded = await run.seed();
        await run.env.updateWebhooks({ bad_signature: true });
        await run.runScenario(seeded, entry);
        const deliveries = await seeded.host.collect();
        await run.env.updateWebhooks({ bad_signature: false });
        check(deliveries.length > 0, name, `the mock delivered no webhook for ${entry.id}`);
        for (const delivery of deliveries)
          await expectRefused(
            name,
            () => seeded.host.ingest(delivery),
            'a webhook signed with the wrong secret',
          );
        await expectUnchanged(name, seeded);
      },
    },
    {
      name: 'rule: unsigned webhooks are rejected',
      needs: declares('webhooks'),
      async body(run, name) {
        const entry = firstWebhookBreak(run, name);
        const seeded = await run.seed();
        await run.runScenario(seeded, entry);
        const deliveries = await seeded.host.collect();
        check(deliveries.length > 0, name, `the mock delivered no webhook for ${entry.id}`);
        for (const delivery of deliveries) {
          const unsigned: Delivery = {
            rawBody: delivery.rawBody,
            headers: new Headers({
              'content-type': delivery.headers.get('content-type') ?? 'application/json',
            }),
          };
          await expectRefused(
            name,
            () => seeded.host.ingest(unsigned),
            'a webhook without signature headers',
          );
        }
        await expectUnchanged(name, seeded);
      },
    },
  ];
}

async function expectUnchanged(name: string, seeded: Seeded): Promise<void> {
  const after = await seeded.host.service.getConnection(seeded.connection.id);
  check(after.state === 'connected', name, `a refused webhook moved the connection to "${after.state}"`);
}
