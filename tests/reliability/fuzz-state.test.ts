import { DEFAULT_STATE_TTL_MS, isReconnectKitError } from '@reconnect-kit/core';
import { createExampleKit } from '@reconnect-kit/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from './support/fuzz.js';

/**
 * Reconnect `state` decoding (core's StateTokenSigner + ReconnectionService.completeReconnection, with core's
 * in-process example provider): whatever comes back in the callback, the answer is state_invalid or
 * state_expired, the vendor is never called and nothing changes. The live attempt still completes afterwards.
 */

/**
 * Edits of a valid token: a character changed, inserted or removed, a segment cut or duplicated. Edits that
 * decode to the same bytes (base64url skips stray characters) must be refused too: a state has one spelling.
 */
function mutatedState(valid: string) {
  const alphabet = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %',
  );
  return fc.oneof(
    fc.tuple(fc.nat(valid.length - 1), alphabet).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    fc.tuple(fc.nat(valid.length), alphabet).map(([i, c]) => valid.slice(0, i) + c + valid.slice(i)),
    fc.nat(valid.length - 1).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
    fc.nat(valid.length).map((i) => valid.slice(0, i)),
    fc.constantFrom(`${valid}.${valid}`, valid.split('.').reverse().join('.'), `.${valid}`, `${valid}.`),
  );
}

async function setUp() {
  const kit = createExampleKit();
  kit.vendor.addAccount({ id: 'acc_1', ownerId: 'owner_1', token: 'tok_old' });
  kit.vendor.issueCode('code_1', { accountId: 'acc_1', ownerId: 'owner_1', token: 'tok_new' });
  const connection = await kit.service.registerConnection({
    provider: 'example',
    hostUserId: 'user_1',
    upstreamId: 'acc_1',
    upstreamParentId: 'owner_1',
    secrets: { token: 'tok_old' },
    state: 'needs_reauth',
  });
  const { action } = await kit.service.startReconnection(connection.id);
  const state = (action as { state: string }).state;
  const snapshot = async () => ({
    connection: await kit.service.getConnection(connection.id),
    outbox: (await kit.store.listOutbox({ limit: 1000 })).length,
    exchanges: kit.vendor.exchangeCount(),
  });
  return { kit, connection, state, snapshot };
}

describe('reconnect state decoding never crashes and never changes anything', () => {
  it('arbitrary strings and edits of a valid state → state_invalid / state_expired', async () => {
    const { kit, state, snapshot } = await setUp();
    const before = await snapshot();
    const candidates = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.base64String({ maxLength: 200 }),
      fc.tuple(fc.base64String(), fc.base64String()).map(([a, b]) => `${a}.${b}`),
      { arbitrary: mutatedState(state), weight: 4 },
    );
    await fc.assert(
      fc.asyncProperty(candidates, fc.option(fc.string(), { nil: undefined }), async (candidate, code) => {
        fc.pre(candidate !== state);
        const error = await kit.service.completeReconnection({ state: candidate, code }).then(
          (outcome) => new Error(`accepted: ${JSON.stringify(outcome)}`),
          (rejection: unknown) => rejection,
        );
        expect(
          isReconnectKitError(error) && ['state_invalid', 'state_expired'].includes(error.code),
          String(error),
        ).toBe(true);
        expect(await snapshot()).toEqual(before);
      }),
      fuzzRuns(500),
    );
    // The attempt the fuzzing ran against was live all along.
    expect(await kit.service.completeReconnection({ state, code: 'code_1' })).toMatchObject({
      outcome: 'recovered',
    });
  });

  it('a valid state after its expiry → state_expired, nothing changes', async () => {
    const { kit, state, snapshot } = await setUp();
    await kit.clock.advance(DEFAULT_STATE_TTL_MS);
    // The read ends the expired attempt (the connection goes back to needs_reauth); the callback adds nothing.
    const before = await snapshot();
    expect(before.connection.state).toBe('needs_reauth');
    await expect(kit.service.completeReconnection({ state, code: 'code_1' })).rejects.toMatchObject({
      code: 'state_expired',
    });
    expect(await snapshot()).toEqual(before);
  });

  it('only the exact minted spelling of a state is accepted', async () => {
    const { kit, state } = await setUp();
    const respelled = `${state.slice(0, -1)}!${state.slice(-1)}`;
    await expect(
      kit.service.completeReconnection({ state: respelled, code: 'code_1' }),
    ).rejects.toMatchObject({
      code: 'state_invalid',
    });
  });
});
