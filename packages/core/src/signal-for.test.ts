import { afterEach, describe, expect, it } from 'vitest';
import { registerExampleAccount } from './kit.test-helpers.js';
import { createExampleKit, type ExampleKit, mapExampleStatus } from './testing/index.js';
import type { ConnectionRef, ProviderEvent, ReconnectionProvider } from './types.js';

describe('provider.signalFor: an event read against the stored connection', () => {
  let kit: ExampleKit;
  afterEach(async () => {
    await kit?.service.settle();
    await kit?.store.close();
  });

  async function setup(
    signalFor: (event: ProviderEvent, connection: ConnectionRef) => ProviderEvent['signal'],
  ) {
    kit = createExampleKit();
    const seen: { event: ProviderEvent; connection: ConnectionRef }[] = [];
    const provider: ReconnectionProvider = kit.provider;
    provider.signalFor = (event, connection) => {
      seen.push({ event, connection });
      return signalFor(event, connection);
    };
    const connection = await registerExampleAccount(kit);
    const ingest = () =>
      kit.ingest([
        {
          id: 'evt_1',
          type: 'account.status',
          account_id: 'acc_1',
          owner_id: 'owner_2',
          status: 'login_required',
          occurred_at: kit.clock.now().toISOString(),
        },
      ]);
    return { connection, seen, ingest };
  }

  it('its answer is applied instead of the event’s own signal, and it sees the stored connection', async () => {
    const { connection, seen, ingest } = await setup(() => mapExampleStatus('outage'));
    expect(await ingest()).toMatchObject({ applied: 1 });
    expect((await kit.service.getConnection(connection.id)).state).toBe('degraded');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.connection).toMatchObject({ id: connection.id, upstreamParentId: 'owner_1' });
    expect(seen[0]?.event).toMatchObject({ eventId: 'evt_1', upstreamParentId: 'owner_2' });
  });

  it('undefined means no signal: the event is recorded, not applied', async () => {
    const { connection, ingest } = await setup(() => undefined);
    expect(await ingest()).toMatchObject({ applied: 0, ignored: 1 });
    expect((await kit.service.getConnection(connection.id)).state).toBe('connected');
    const ignored = await kit.store.listIgnoredSignals({});
    expect(ignored.map((entry) => entry.reason)).toEqual(['unknown_event']);
  });
});
