/**
 * The conformance rule for early warnings (`early_warning: true` in a catalogue's detection map) passes for a
 * provider whose status reads report one stable deadline, and fails for one that reports none or a new deadline on
 * every read. The Finch adapter and mock stand in for any provider: its status read is wrapped to add the warning,
 * and the catalogue has one early-warning entry that needs no mock scenario (no `target`).
 */
import {
  type ConformanceSuite,
  createConformanceSuite,
  type ProviderConformanceOptions,
} from '@reconnect-kit/contract-tests';
import type { EarlyWarning, ProviderStatus, ReconnectionProvider } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { finchConformance } from './finch.conformance.js';

const DAY = 24 * 60 * 60 * 1000;
const RULE = 'rule: finch.seed_connected detected by status_check is one early warning, fired once';

const catalogue = {
  provider: 'finch',
  scenarios: [
    {
      id: 'finch.seed_connected',
      description: 'A connected connection whose access the vendor says ends in a week.',
      input: { provider_id: 'gusto' },
      vendor_signal: 'status reads carry the deadline',
      expected_state: 'connected',
      expected_events: [],
      user_fix: 'Renew before the deadline.',
    },
  ],
  detection: { 'finch.seed_connected': { detected_by: ['status_check'], early_warning: true } },
};

/** The Finch provider with its status reads given `warning(now)`. */
function warningProvider(warning: (checkedAt: Date) => EarlyWarning | undefined): ProviderConformanceOptions {
  const base = finchConformance as unknown as ProviderConformanceOptions;
  return {
    ...base,
    catalogue,
    provider(setup) {
      const real: ReconnectionProvider = base.provider(setup);
      return Object.assign(Object.create(real) as ReconnectionProvider, {
        async fetchStatus(...args: Parameters<ReconnectionProvider['fetchStatus']>): Promise<ProviderStatus> {
          const status = await real.fetchStatus(...args);
          return { ...status, warning: warning(status.checkedAt) };
        },
      });
    },
  };
}

async function runRule(options: ProviderConformanceOptions): Promise<unknown> {
  const suite: ConformanceSuite = createConformanceSuite(options);
  await suite.start();
  try {
    return await suite
      .rule(RULE)
      .run()
      .then(
        () => undefined,
        (error: unknown) => error,
      );
  } finally {
    await suite.stop();
  }
}

const fixedDeadline = new Date(Date.parse('2026-11-23T12:00:00.000Z') + 30 * DAY);

describe('rule: early warnings', () => {
  it('passes for one stable deadline', async () => {
    const error = await runRule(
      warningProvider(() => ({ code: 'access_expiring', deadline: fixedDeadline, reason: 'Renew soon.' })),
    );
    expect(error).toBeUndefined();
  });

  it('fails when the status read reports no warning', async () => {
    expect(String(await runRule(warningProvider(() => undefined)))).toMatch(
      /emitted 0 connection\.expiring events, expected 1/,
    );
  });

  it('fails when every read reports a new deadline (a new episode each time)', async () => {
    const error = await runRule(
      warningProvider((checkedAt) => ({
        code: 'access_expiring',
        deadline: new Date(checkedAt.getTime() + 7 * DAY),
        reason: 'Renew soon.',
      })),
    );
    expect(String(error)).toMatch(/emitted another connection\.expiring/);
  });
});
