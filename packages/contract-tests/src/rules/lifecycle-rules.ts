import { isReconnectKitError } from '@reconnect-kit/core';
import type { ScenarioEntry } from '../catalogue.js';
import { HOST_STATE_TTL_MS } from '../harness/host.js';
import type { ConformanceRun, Seeded } from '../run.js';
import { check } from '../violation.js';
import { declares, declaresReconnect, type RuleSpec } from './rule.js';

/** The first catalogue scenario a reconnect repairs (the connection needs its user, one-click or re-login). */
function repairableScenario(run: ConformanceRun): ScenarioEntry | undefined {
  return run
    .breakingScenarios()
    .find((entry) => entry.expected_state === 'needs_reauth' || entry.expected_state === 'needs_credentials');
}

const terminalScenario = (run: ConformanceRun) =>
  run
    .breakingScenarios()
    .find((entry) => entry.expected_state === 'revoked' && entry.detected_by.includes('webhook'));

async function expectTerminalRefusal(rule: string, seeded: Seeded): Promise<void> {
  const refused = await seeded.host.service.startReconnection(seeded.connection.id).then(
    () => undefined,
    (error: unknown) => error,
  );
  check(refused !== undefined, rule, 'startReconnection was accepted on a terminal connection');
  check(
    isReconnectKitError(refused) && refused.code === 'connection_terminal',
    rule,
    () => `startReconnection was refused with ${String(refused)}, expected the connection_terminal error`,
  );
}

/** Breaks a seeded connection with a scenario a reconnect repairs, then reconnects it through the vendor page. */
async function reconnect(run: ConformanceRun, rule: string) {
  const entry = repairableScenario(run);
  check(entry, rule, 'the catalogue has no scenario a reconnect repairs (needs_reauth / needs_credentials)');
  const seeded = await run.seed();
  await run.breakWith(rule, seeded, entry);
  await seeded.host.tick(1000);
  return { seeded, ...(await run.reconnectThroughVendor(rule, seeded)) };
}

export function lifecycleRules(): RuleSpec[] {
  return [
    {
      name: 'rule: reconnect keeps the upstream id',
      needs: declaresReconnect,
      async body(run, name) {
        const { seeded, outcome, after } = await reconnect(run, name);
        const expected = seeded.upstream.upstreamId;
        check(outcome.outcome === 'recovered', name, () =>
          outcome.outcome === 'account_mismatch'
            ? `completeReconnection came back with upstream id "${outcome.actual.upstreamId}" instead of "${expected}" (a new upstream connection, not a reconnect)`
            : `completeReconnection answered "${outcome.outcome}", expected "recovered"`,
        );
        check(
          after.upstreamId === expected,
          name,
          `the connection now points at "${after.upstreamId}", not "${expected}"`,
        );
        check(
          after.state === 'connected',
          name,
          `the reconnected connection is "${after.state}", not "connected"`,
        );
        const { items } = await seeded.host.service.listConnections({});
        check(
          items.length === 1,
          name,
          `the host now has ${items.length} connections, expected the one it repaired`,
        );
      },
    },
    {
      name: 'rule: reconnect emits connection.recovered once',
      needs: declaresReconnect,
      async body(run, name) {
        const { seeded, outcome } = await reconnect(run, name);
        const types = await seeded.host.eventTypes(seeded.connection.id);
        const recovered = types.filter((type) => type === 'connection.recovered').length;
        check(
          recovered === 1,
          name,
          `the reconnect (${outcome.outcome}) emitted connection.recovered ${recovered} times (events: ${types.join(', ')})`,
        );
      },
    },
    {
      name: 'rule: an abandoned reconnect ends with its state (problem state back, event, reconnectable again)',
      needs: declaresReconnect,
      async body(run, name) {
        const entry = repairableScenario(run);
        check(
          entry,
          name,
          'the catalogue has no scenario a reconnect repairs (needs_reauth / needs_credentials)',
        );
        const seeded = await run.seed();
        const { host, connection } = seeded;
        await run.breakWith(name, seeded, entry);
        const broken = await host.service.getConnection(connection.id);
        await host.tick(1000);
        // The user is sent to the vendor and never comes back.
        await host.service.startReconnection(connection.id, { redirectUri: run.redirectUri });
        await host.ingestAll();
        await host.tick(HOST_STATE_TTL_MS - 1000);
        const during = await host.service.getConnection(connection.id);
        check(
          during.state === 'reconnecting',
          name,
          `before the state expired the connection is "${during.state}", expected "reconnecting"`,
        );
        await host.tick(1000);
        const after = await host.service.getConnection(connection.id);
        check(
          after.state === broken.state,
          name,
          `after the state expired the connection is "${after.state}", expected "${broken.state}" (the state before the reconnect)`,
        );
        check(
          JSON.stringify(after.problem) === JSON.stringify(broken.problem),
          name,
          () =>
            `the problem after the abandoned reconnect is ${JSON.stringify(after.problem)}, expected ${JSON.stringify(broken.problem)}`,
        );
        const types = await host.eventTypes(connection.id);
        const abandoned = types.filter((type) => type === 'connection.reconnect_abandoned').length;
        check(
          abandoned === 1,
          name,
          `the abandoned reconnect emitted connection.reconnect_abandoned ${abandoned} times (events: ${types.join(', ')})`,
        );
        await host.tick(1000);
        const { outcome } = await run.reconnectThroughVendor(name, seeded);
        check(
          outcome.outcome === 'recovered',
          name,
          `reconnecting after the abandoned attempt answered "${outcome.outcome}", expected "recovered"`,
        );
      },
    },
    {
      name: 'rule: terminal revocation is terminal (reconnect refused, later signals ignored)',
      needs: declares('webhooks'),
      async body(run, name) {
        const revoke = terminalScenario(run);
        check(
          revoke,
          name,
          'the provider declares webhooks, but its catalogue has no scenario reaching "revoked" by webhook ' +
            "(the vendor's upstream revocation)",
        );
        const earlier = repairableScenario(run);
        const seeded = await run.seed();
        const { host, connection } = seeded;
        // A problem signal captured before the revocation, delivered after it.
        let late: Awaited<ReturnType<typeof host.collect>> = [];
        if (earlier?.detected_by.includes('webhook')) {
          await run.runScenario(seeded, earlier);
          late = await host.collect();
          await host.tick(1000);
        }
        await run.detect(name, seeded, revoke, 'webhook');
        await expectTerminalRefusal(name, seeded);
        await host.tick(1000);
        for (const delivery of late) await host.ingest(delivery);
        if (run.capabilities.statusPolling) {
          await host.service.checkStatus(connection.id).catch((error: unknown) => {
            if (!isReconnectKitError(error)) throw error;
          });
        }
        const after = await host.service.getConnection(connection.id);
        check(
          after.state === 'revoked',
          name,
          `a signal after the revocation moved the connection to "${after.state}"`,
        );
      },
    },
    {
      name: 'rule: revoke disconnects upstream and is terminal',
      needs: declares('revocation'),
      async body(run, name) {
        const seeded = await run.seed();
        await run.env.admin('DELETE', '/requests');
        const revoked = await seeded.host.service.revoke(seeded.connection.id);
        check(revoked.state === 'disconnected', name, `revoke left the connection "${revoked.state}"`);
        // The mock journals every vendor call (admin calls never): revoking must have told the vendor.
        const { requests } = (await run.env.admin('GET', '/requests')) as { requests?: unknown[] };
        check(requests?.length, name, 'revoke made no call to the vendor (the mock journaled none)');
        const types = await seeded.host.eventTypes(seeded.connection.id);
        check(
          types.includes('connection.disconnected'),
          name,
          `revoke emitted no connection.disconnected (${types.join(', ')})`,
        );
        await expectTerminalRefusal(name, seeded);
        await seeded.host.ingestAll();
        const after = await seeded.host.service.getConnection(seeded.connection.id);
        check(
          after.state === 'disconnected',
          name,
          `webhooks after revoke moved the connection to "${after.state}"`,
        );
      },
    },
  ];
}
