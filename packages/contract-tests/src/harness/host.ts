import { randomBytes } from 'node:crypto';
import {
  type ConnectionEvent,
  type IngestResult,
  ManualClock,
  RECONNECTION_PROVIDER,
  type ReconnectionProvider,
  ReconnectionService,
  registerReconnectKit,
} from '@reconnect-kit/core';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import { CapturingLogger } from './capturing-logger.js';
import type { MockEnv } from './mock-admin.js';
import type { Delivery, WebhookReceiver } from './webhook-receiver.js';

/** The suite's fixed start time; host and mock clocks start here and move together. */
export const CONFORMANCE_START = '2026-01-15T12:00:00.000Z';

/** How long a host's reconnect state (and so a reconnect attempt) lives. */
export const HOST_STATE_TTL_MS = 60 * 60 * 1000;

/** One host application: a fresh container, service, in-memory store, manual clock and capturing logger. */
export interface Host {
  readonly service: ReconnectionService;
  readonly provider: ReconnectionProvider;
  readonly clock: ManualClock;
  readonly logger: CapturingLogger;
  /** Advances the host's and the mock's clocks together. */
  tick(ms: number): Promise<void>;
  /** Waits until the mock delivered everything queued, then takes the deliveries (without ingesting them). */
  collect(): Promise<Delivery[]>;
  ingest(delivery: Delivery): Promise<IngestResult>;
  /** Collects, then ingests every delivery in order. */
  ingestAll(): Promise<IngestResult[]>;
  /** Delivers the outbox; returns every event type emitted so far for one connection. */
  eventTypes(connectionId: string): Promise<string[]>;
}

export async function startHost(
  providerId: string,
  env: MockEnv,
  receiver: WebhookReceiver,
  buildProvider: (container: DependencyContainer) => ReconnectionProvider,
): Promise<Host> {
  const clock = new ManualClock(CONFORMANCE_START);
  await env.admin('POST', '/clock', { set: CONFORMANCE_START });
  await env.updateWebhooks({
    duplicate: false,
    reorder: false,
    stale_timestamp: false,
    bad_signature: false,
  });
  await env.flushWebhooks();
  receiver.take();

  const logger = new CapturingLogger();
  const hostContainer = rootContainer.createChildContainer();
  registerReconnectKit(hostContainer, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store: { kind: 'memory' },
    clock,
    logger,
    // Each detection rule tests one way in isolation: with confirmations on, a status read after a hint webhook
    // would mask a broken webhook mapping (and a broken status read would fail the webhook rules).
    options: { stateTtlMs: HOST_STATE_TTL_MS, confirmWebhooks: false },
  });
  // The adapter registers itself in its own child scope; only the instance it returns is the service's provider.
  const provider = buildProvider(hostContainer.createChildContainer());
  hostContainer.register(RECONNECTION_PROVIDER, { useValue: provider });
  const service = hostContainer.resolve(ReconnectionService);
  const events: ConnectionEvent[] = [];
  service.subscribe((event) => {
    events.push(event);
  });

  const collect = async () => {
    await env.flushWebhooks();
    return receiver.take();
  };
  const ingest = (delivery: Delivery) =>
    service.ingestWebhook(providerId, delivery.rawBody, delivery.headers);
  return {
    service,
    provider,
    clock,
    logger,
    async tick(ms) {
      await clock.advance(ms);
      await env.admin('POST', '/clock', { advance_ms: ms });
    },
    collect,
    ingest,
    async ingestAll() {
      const results: IngestResult[] = [];
      for (const delivery of await collect()) results.push(await ingest(delivery));
      return results;
    },
    async eventTypes(connectionId) {
      await service.deliverOutbox();
      return events.filter((event) => event.connectionId === connectionId).map((event) => event.type);
    },
  };
}
