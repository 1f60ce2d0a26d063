import { describe, expect, it } from 'vitest';
import { ReconnectKitError } from './errors.js';
import { drive } from './resilience/resilience.test-helpers.js';
import type { CallPriority, VendorBudget } from './resilience/vendor-budget.js';
import { createExampleKit } from './testing/index.js';

/** Records what the service asks of the budget. */
class RecordingBudget implements VendorBudget {
  readonly takes: [string, CallPriority][] = [];
  readonly pauses: [string, number][] = [];
  async take(provider: string, priority: CallPriority): Promise<void> {
    this.takes.push([provider, priority]);
  }
  async pause(provider: string, ms: number): Promise<void> {
    this.pauses.push([provider, ms]);
  }
}

describe('the fleet vendor budget in the service', () => {
  async function kitWithBroken(budget: VendorBudget) {
    const kit = createExampleKit({ vendorBudget: budget });
    kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok' });
    const connection = await kit.service.registerConnection({
      provider: 'example',
      hostUserId: 'user_1',
      upstreamId: 'acc_1',
      upstreamParentId: 'owner_1',
      secrets: { token: 'tok' },
      state: 'needs_reauth',
    });
    return { kit, connection };
  }

  it('takes an interactive slot for host calls and a background one for sweeps, before calling the vendor', async () => {
    const budget = new RecordingBudget();
    const { kit, connection } = await kitWithBroken(budget);
    await kit.service.checkStatus(connection.id);
    await kit.service.startReconnection(connection.id);
    expect(budget.takes).toEqual([
      ['example', 'interactive'],
      ['example', 'interactive'],
    ]);
    budget.takes.length = 0;
    // The connection is now `reconnecting`, one of the states a sweep re-checks.
    expect(await drive(kit.clock, kit.service.sweep())).toMatchObject({ checked: 1 });
    expect(budget.takes).toEqual([['example', 'background']]);
  });

  it('pauses the provider for the fleet when the vendor answers with a Retry-After', async () => {
    const budget = new RecordingBudget();
    const { kit, connection } = await kitWithBroken(budget);
    kit.vendor.failNext(
      'fetchStatus',
      new ReconnectKitError('upstream_rate_limited', { details: { retryAfterMs: 20_000 } }),
    );
    await expect(kit.service.checkStatus(connection.id)).rejects.toMatchObject({
      code: 'upstream_rate_limited',
    });
    expect(budget.pauses).toEqual([['example', 20_000]]);
  });
});
