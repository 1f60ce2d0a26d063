/**
 * Admin scenarios (`POST /__admin/scenarios/{id}`), catalogued in `fixtures/scenarios/argyle.json`. Each does what
 * Argyle's sandbox or a real payroll system would do to an account and queues exactly the webhooks Argyle sends.
 */
import { type MockContext, MockHttpError, type ScenarioDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import {
  breakConnection,
  completeConnection,
  createAccount,
  failConnection,
  removeAccount,
} from './domain/accounts.js';
import type { MockConnectionErrorCode } from './domain/connection-errors.js';
import { DEFAULT_ITEM, findSandboxItem, SANDBOX_ITEMS, SANDBOX_USERS } from './domain/sandbox.js';
import { serializeAccount } from './domain/serialize.js';
import type { AccountRecord, ArgyleState } from './domain/state.js';
import { createUser, userTokenFor } from './domain/users.js';
import { sharePath } from './link/paths.js';

type Ctx = MockContext<ArgyleState>;
type Scenario = ScenarioDefinition<ArgyleState>;

const targetInput = z.object({ target: z.string().min(1) }).strict();

function targetAccount(input: { target?: string }, ctx: Ctx): AccountRecord {
  const account = input.target ? ctx.state.accounts.get(input.target) : undefined;
  if (!account) {
    throw new MockHttpError(404, {
      error: 'target_not_found',
      message: `No Argyle account with id "${input.target ?? ''}"; pass {"target": "<account id>"}.`,
    });
  }
  return account;
}

/** A target whose payroll login a scenario breaks: a response-form or document upload account has none. */
function loginAccount(input: { target?: string }, ctx: Ctx): AccountRecord {
  const account = targetAccount(input, ctx);
  if (account.kind !== 'payroll') {
    throw new MockHttpError(400, {
      error: 'target_has_no_login',
      message: `Argyle account "${account.id}" holds the user's ${account.kind === 'user_forms' ? 'response form' : 'uploaded documents'}; it has no payroll login to break. Target a payroll account.`,
    });
  }
  return account;
}

function changedAccount(ctx: Ctx, account: AccountRecord) {
  return { account: serializeAccount(ctx.state, account) };
}

/** A connected account loses access, found by a scan: `accounts.updated` only. */
function breaks(id: string, code: MockConnectionErrorCode): Scenario {
  return {
    id,
    input: targetInput,
    run(input, ctx) {
      const account = loginAccount(input, ctx);
      const webhooks = breakConnection(ctx, account, code);
      return { changed: changedAccount(ctx, account), webhooks };
    },
  };
}

/** The account disappears upstream: `accounts.removed`, data deleted. */
function removes(id: string): Scenario {
  return {
    id,
    input: targetInput,
    run(input, ctx) {
      const account = targetAccount(input, ctx);
      const webhooks = removeAccount(ctx, account);
      return { changed: { account_id: account.id, removed: true }, webhooks };
    },
  };
}

const seedInput = z
  .object({
    username: z.enum(SANDBOX_USERS.map((user) => user.username) as [string, ...string[]]).optional(),
    item: z
      .string()
      .refine((item) => findSandboxItem(item) !== undefined, {
        message: `item must be one of ${SANDBOX_ITEMS.map((item) => item.id).join(', ')}`,
      })
      .optional(),
    external_id: z.string().max(100).optional(),
  })
  .strict();

export const argyleScenarios: Scenario[] = [
  {
    id: 'argyle.seed_connected',
    input: seedInput,
    run(rawInput, ctx) {
      const input = seedInput.parse(rawInput);
      const user = createUser(ctx, { externalId: input.external_id ?? null });
      const itemId = input.item ?? DEFAULT_ITEM.id;
      const login = input.username ?? SANDBOX_USERS[0]!.username;
      // The same steps as a Link login: created, then connected after MFA.
      const created = createAccount(ctx, { userId: user.id, itemId, login });
      const webhooks = [...created.webhooks, ...completeConnection(ctx, created.account)];
      return {
        changed: {
          user_id: user.id,
          account_id: created.account.id,
          item: itemId,
          user_token: userTokenFor(ctx, user.id),
          // The user's shareable Link URL, relative to the mock's URL (it opens Link for this user's connections).
          shareable_path: sharePath(user.shareId),
          ...changedAccount(ctx, created.account),
        },
        webhooks,
      };
    },
  },
  breaks('argyle.auth_required', 'auth_required'),
  breaks('argyle.expired_credentials', 'expired_credentials'),
  {
    id: 'argyle.invalid_credentials_on_reconnect',
    input: targetInput,
    run(input, ctx) {
      const account = loginAccount(input, ctx);
      account.failNextReconnectWith = 'invalid_credentials';
      return {
        changed: { account_id: account.id, next_reconnect_fails_with: 'invalid_credentials' },
        webhooks: [],
      };
    },
  },
  {
    id: 'argyle.mfa_timeout',
    input: targetInput,
    run(input, ctx) {
      const account = loginAccount(input, ctx);
      // Any MFA step waiting in Link for this account is over.
      for (const challenge of [...ctx.state.mfaChallenges.values()]) {
        if (challenge.accountId === account.id) ctx.state.mfaChallenges.delete(challenge.id);
      }
      const webhooks = failConnection(ctx, account, 'mfa_timeout');
      return { changed: changedAccount(ctx, account), webhooks };
    },
  },
  removes('argyle.user_revoked'),
  removes('argyle.account_deleted'),
  breaks('argyle.system_error', 'system_error'),
];
