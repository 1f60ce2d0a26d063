/** Users and their tokens. Deleting a user removes every account (one `accounts.removed` each), invite, report and verification. */
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { removeAccount } from './accounts.js';
import { type ArgyleState, takeRowKey, type UserRecord } from './state.js';
import { issueUserToken } from './user-token.js';

type Ctx = MockContext<ArgyleState>;

/** The mock's client id: the `X-Client-Id` header and the `client_id` claim of user tokens. */
export const MOCK_CLIENT_ID = '0f9a3c1e-5b7d-4e2a-9c8b-6d4f2e1a3b5c';

export interface NewUserInput {
  readonly externalId?: string | null;
  readonly externalMetadata?: { [key: string]: unknown } | null;
}

export function createUser(ctx: Ctx, input: NewUserInput = {}): UserRecord {
  const user: UserRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    shareId: ctx.newId('share'),
    createdAt: ctx.clock.now(),
    externalId: input.externalId ?? null,
    externalMetadata: input.externalMetadata ?? {},
  };
  ctx.state.users.set(user.id, user);
  return user;
}

/** A fresh one-hour token, signed with the API key secret the mock accepts. */
export function userTokenFor(ctx: Ctx, userId: string): string {
  return issueUserToken({
    userId,
    clientId: MOCK_CLIENT_ID,
    now: ctx.clock.now(),
    signingKey: userTokenSigningKey(ctx),
    newId: () => ctx.newId(),
  });
}

export function userTokenSigningKey(ctx: Ctx): string {
  return ctx.config.credentials.api_key_secret ?? '';
}

export function deleteUser(ctx: Ctx, user: UserRecord): QueuedWebhook[] {
  const webhooks: QueuedWebhook[] = [];
  for (const account of [...ctx.state.accounts.values()]) {
    if (account.userId === user.id) webhooks.push(...removeAccount(ctx, account));
  }
  for (const invite of [...ctx.state.invites.values()]) {
    if (invite.userId === user.id) ctx.state.invites.delete(invite.id);
  }
  for (const report of [...ctx.state.reports.values()]) {
    if (report.userId === user.id) ctx.state.reports.delete(report.id);
  }
  for (const verification of [...ctx.state.verifications.values()]) {
    if (verification.userId === user.id) ctx.state.verifications.delete(verification.id);
  }
  ctx.state.users.delete(user.id);
  return webhooks;
}
