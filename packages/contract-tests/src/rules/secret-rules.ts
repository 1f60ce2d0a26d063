import { isReconnectKitError } from '@reconnect-kit/core';
import { check } from '../violation.js';
import type { RuleSpec } from './rule.js';

/** Rethrows anything that is not one of Reconnect Kit's own (expected, log-safe) errors. */
function onlyKitErrors(error: unknown): undefined {
  if (isReconnectKitError(error)) return undefined;
  throw error;
}

/**
 * Drives a whole lifecycle with a capturing logger (seed, break, bad signature, status check, reconnect, revoke —
 * whatever the provider declares), then looks for every secret value in what was logged.
 */
export function secretRules(): RuleSpec[] {
  return [
    {
      name: 'rule: secrets never appear in logs',
      needs: () => undefined,
      async body(run, name) {
        const seeded = await run.seed();
        const { host, connection } = seeded;
        const entry = run
          .breakingScenarios()
          .find(
            (candidate) =>
              candidate.expected_state === 'needs_reauth' || candidate.expected_state === 'needs_credentials',
          );
        if (entry && run.capabilities.webhooks && entry.detected_by.includes('webhook')) {
          // Each delivery goes in twice: stripped of its signature (the error path), then as sent.
          await run.runScenario(seeded, entry);
          for (const delivery of await host.collect()) {
            const unsigned = new Headers({ 'content-type': 'application/json' });
            await host.service
              .ingestWebhook(run.options.providerId, delivery.rawBody, unsigned)
              .catch(onlyKitErrors);
            await host.ingest(delivery);
          }
        } else if (entry) {
          await run.breakWith(name, seeded, entry);
        }
        if (run.capabilities.statusPolling)
          await host.service.checkStatus(connection.id).catch(onlyKitErrors);
        if (entry && (run.capabilities.oneClickReconnect || run.capabilities.redirectReconnect)) {
          const { action } = await host.service.startReconnection(connection.id, {
            redirectUri: run.redirectUri,
          });
          const callback = await run.options.hooks.completeReconnect(action, run.env);
          if (callback) await host.service.completeReconnection(callback).catch(onlyKitErrors);
          await host.ingestAll();
        }
        if (run.capabilities.revocation) await host.service.revoke(connection.id);

        const secrets = [...run.options.secrets, ...Object.values(seeded.upstream.secrets ?? {})].filter(
          (secret) => secret.length >= 6,
        );
        check(host.logger.lines.length > 0, name, 'nothing was logged: the capturing logger was not used');
        const masked = (line: string) =>
          secrets.reduce((text, secret) => text.replaceAll(secret, '[A SECRET]'), line).slice(0, 300);
        for (const secret of secrets) {
          const line = host.logger.lines.find((candidate) => candidate.includes(secret));
          check(line === undefined, name, () => `a secret was logged: ${masked(line ?? '')}`);
        }
      },
    },
  ];
}
