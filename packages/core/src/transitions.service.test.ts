import 'reflect-metadata';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { registerReconnectKit } from './register.js';
import { ReconnectionService } from './service.js';
import type { ConnectionStore } from './store/port.js';
import { TEST_SECRET_BOX, TEST_STATE_SIGNING_KEY } from './testing/index.js';
import { CONNECTION_STORE, RECONNECTION_PROVIDER } from './tokens.js';
import { decideTransition } from './transitions.js';
import {
  CONNECTION_STATES,
  type ConnectionState,
  type ProviderEvent,
  type ReconnectionProvider,
  type VerifiedWebhook,
} from './types.js';

/** A test double whose webhook body names the canonical state directly: `{ id, upstreamId, state }`. */
const canonical: Pick<ReconnectionProvider, 'id' | 'verifyWebhook' | 'parseWebhook'> = {
  id: 'canonical',
  verifyWebhook: (rawBody, headers, now): VerifiedWebhook => ({
    provider: 'canonical',
    rawBody,
    headers,
    body: JSON.parse(new TextDecoder().decode(rawBody)),
    receivedAt: now,
  }),
  parseWebhook: (webhook): ProviderEvent[] => {
    const body = webhook.body as { id: string; upstreamId: string; state: ConnectionState };
    return [
      {
        eventId: body.id,
        provider: 'canonical',
        vendorType: 'state',
        upstreamId: body.upstreamId,
        occurredAt: webhook.receivedAt,
        signal: { state: body.state, vendor: { status: `vendor_${body.state}` } },
      },
    ];
  },
};

function setup() {
  const child = container.createChildContainer();
  const clock = new ManualClock();
  registerReconnectKit(child, {
    stateSigningKey: TEST_STATE_SIGNING_KEY,
    secretBox: TEST_SECRET_BOX,
    store: { kind: 'memory' },
    clock,
  });
  child.register(RECONNECTION_PROVIDER, { useValue: canonical as ReconnectionProvider });
  return {
    service: child.resolve(ReconnectionService),
    store: child.resolve<ConnectionStore>(CONNECTION_STORE),
    clock,
  };
}

const pairs = CONNECTION_STATES.flatMap((from) => CONNECTION_STATES.map((to) => ({ from, to })));

describe('every (from, to) pair through ingestWebhook', () => {
  it.each(pairs)('$from → $to', async ({ from, to }) => {
    const { service, store, clock } = setup();
    const now = clock.now().toISOString();
    const id = `conn_${from}`;
    await store.insertConnection({
      id,
      provider: 'canonical',
      hostUserId: 'u',
      upstreamId: 'up_1',
      metadata: {},
      state: from,
      createdAt: now,
      updatedAt: now,
      stateChangedAt: now,
      version: 1,
    });
    const body = new TextEncoder().encode(JSON.stringify({ id: 'evt_1', upstreamId: 'up_1', state: to }));
    const result = await service.ingestWebhook('canonical', body, new Headers());
    const decision = decideTransition({ current: from, signal: to });
    const after = await service.getConnection(id);
    const outbox = (await store.listOutbox({})).map((entry) => entry.event);
    const journal = await store.listIgnoredSignals({ connectionId: id });

    if (decision.kind === 'ignore') {
      expect(result).toMatchObject({ applied: 0, ignored: 1 });
      expect(after).toMatchObject({ state: from, version: 1 });
      expect(journal).toMatchObject([{ reason: decision.reason, from, to: decision.to }]);
      expect(outbox).toEqual([]);
      return;
    }
    expect(result).toMatchObject({ applied: 1, ignored: 0 });
    expect(after).toMatchObject({ state: decision.to, version: 2, vendor: { status: `vendor_${to}` } });
    expect(journal).toEqual([]);
    const transitionEvents = outbox.filter((event) => event.type !== 'connection.notification');
    if (decision.kind === 'same_state') {
      expect(transitionEvents).toEqual([]);
      return;
    }
    expect(transitionEvents.map((event) => event.type)).toEqual(decision.events);
    expect(transitionEvents.at(-1)).toMatchObject({ from, to: decision.to, connectionId: id });
  });
});
