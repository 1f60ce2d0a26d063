/** Providers whose webhook verification is async (keys fetched by id, e.g. JWT-signed webhooks). */
import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectKitError } from './errors.js';
import { registerExampleAccount } from './kit.test-helpers.js';
import { createExampleKit, type ExampleKit } from './testing/index.js';
import type { VerifiedWebhook } from './types.js';

describe('ingestWebhook with an async verifier', () => {
  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.settle();
    await kit?.store.close();
  });

  /** Makes the example provider verify after a tick, as a verifier that fetches its key would. */
  function verifyLater(k: ExampleKit, outcome: 'resolve' | 'reject'): void {
    const verifySync = k.provider.verifyWebhook.bind(k.provider);
    Object.assign(k.provider, {
      verifyWebhook: async (...args: Parameters<typeof verifySync>): Promise<VerifiedWebhook> => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (outcome === 'reject')
          throw new ReconnectKitError('webhook_signature_invalid', { message: 'unknown key id' });
        return verifySync(...args);
      },
    });
  }

  async function connected(k: ExampleKit) {
    return registerExampleAccount(k, { token: 'tok_1' });
  }

  const loginRequired = (k: ExampleKit) => ({
    id: 'evt_1',
    type: 'account.status' as const,
    account_id: 'acc_1',
    status: 'login_required' as const,
    occurred_at: k.clock.now().toISOString(),
  });

  it('applies what a verifier resolves', async () => {
    kit = createExampleKit();
    const connection = await connected(kit);
    verifyLater(kit, 'resolve');
    expect(await kit.ingest([loginRequired(kit)])).toMatchObject({ applied: 1 });
    expect((await kit.service.getConnection(connection.id)).state).toBe('needs_reauth');
  });

  it('changes nothing when the verifier rejects', async () => {
    kit = createExampleKit();
    const connection = await connected(kit);
    verifyLater(kit, 'reject');
    await expect(kit.ingest([loginRequired(kit)])).rejects.toMatchObject({
      code: 'webhook_signature_invalid',
    });
    expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
    expect(await kit.store.listOutbox({})).toHaveLength(1);
  });
});
