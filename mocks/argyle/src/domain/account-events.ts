import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { serializeWebhookAccount } from './serialize.js';
import type { AccountRecord, ArgyleState } from './state.js';
import { publish } from './webhooks.js';

/** `accounts.*` with the account as `resource` (except `accounts.removed`, which never carries one). */
export function accountEvent(
  ctx: MockContext<ArgyleState>,
  event: string,
  account: AccountRecord,
): QueuedWebhook[] {
  return publish(ctx, {
    event,
    data: { account: account.id, user: account.userId },
    resource: event === 'accounts.removed' ? undefined : () => serializeWebhookAccount(ctx.state, account),
  });
}
