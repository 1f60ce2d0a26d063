import 'reflect-metadata';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { isReconnectKitError } from './errors.js';
import { type ReconnectKitConfig, registerReconnectKit } from './register.js';
import { ReconnectionService } from './service.js';
import { SqliteConnectionStore } from './store/sqlite.js';
import { TEST_SECRET_BOX, TEST_STATE_SIGNING_KEY } from './testing/index.js';
import {
  CONNECTION_STORE,
  RECONNECT_KIT_CONFIG,
  RECONNECTION_PROVIDER,
  RECONNECTION_SERVICE,
} from './tokens.js';

const valid: ReconnectKitConfig = { stateSigningKey: TEST_STATE_SIGNING_KEY, secretBox: TEST_SECRET_BOX };

function fieldOf(config: unknown): string {
  const child = container.createChildContainer();
  try {
    registerReconnectKit(child, config as ReconnectKitConfig);
    return 'accepted';
  } catch (error) {
    if (!isReconnectKitError(error, 'config_invalid')) throw error;
    expect(error.message).toContain(String(error.details.field));
    expect(child.isRegistered(CONNECTION_STORE)).toBe(false);
    return String(error.details.field);
  }
}

describe('registerReconnectKit', () => {
  it('registers a resolvable singleton service with the default SQLite in-memory store', async () => {
    const child = container.createChildContainer();
    registerReconnectKit(child, valid);
    child.register(RECONNECTION_PROVIDER, { useValue: { id: 'noop' } as never });
    const service = child.resolve<ReconnectionService>(RECONNECTION_SERVICE);
    expect(service).toBeInstanceOf(ReconnectionService);
    expect(child.resolve(ReconnectionService)).toBe(service);
    const store = child.resolve<SqliteConnectionStore>(CONNECTION_STORE);
    expect(store).toBeInstanceOf(SqliteConnectionStore);
    expect(child.resolve(RECONNECT_KIT_CONFIG)).toMatchObject({ stateTtlMs: 30 * 60 * 1000 });
    await store.close();
  });

  it('names the bad field', () => {
    expect(fieldOf({ ...valid, stateSigningKey: 'short' })).toBe('stateSigningKey');
    expect(fieldOf({ secretBox: TEST_SECRET_BOX })).toBe('stateSigningKey');
    expect(fieldOf({ ...valid, secretBox: { keys: [], primaryKeyId: 'k1' } })).toBe('secretBox.keys');
    expect(fieldOf({ ...valid, secretBox: { ...TEST_SECRET_BOX, primaryKeyId: 'k9' } })).toBe(
      'secretBox.primaryKeyId',
    );
    expect(fieldOf({ ...valid, store: { kind: 'mongo' } })).toBe('store');
    expect(fieldOf({ ...valid, clock: { now: () => new Date() } })).toBe('clock');
    expect(fieldOf({ ...valid, options: { outbox: { leaseMs: -1 } } })).toBe('options.outbox.leaseMs');
    expect(fieldOf({ ...valid, options: { stateTtlMs: 'soon' } })).toBe('options.stateTtlMs');
    expect(fieldOf({ ...valid, extra: true })).toBe('extra');
    expect(fieldOf({ ...valid, options: { outbox: { batchsize: 5 } } })).toBe('options.outbox.batchsize');
  });

  it('takes a clock, a memory store and options', () => {
    const child = container.createChildContainer();
    const clock = new ManualClock();
    registerReconnectKit(child, {
      ...valid,
      clock,
      store: { kind: 'memory' },
      options: {
        stateTtlMs: 60_000,
        notifications: { providers: { example: { impact: ['Payroll sync stops.'] } } },
      },
    });
    expect(child.resolve(RECONNECT_KIT_CONFIG)).toMatchObject({
      stateTtlMs: 60_000,
      notifications: { providers: { example: { includeAction: false, impact: ['Payroll sync stops.'] } } },
    });
  });

  it('refuses two providers with the same id when the service is resolved', () => {
    const child = container.createChildContainer();
    registerReconnectKit(child, { ...valid, store: { kind: 'memory' } });
    child.register(RECONNECTION_PROVIDER, { useValue: { id: 'twin' } as never });
    child.register(RECONNECTION_PROVIDER, { useValue: { id: 'twin' } as never });
    expect(() => child.resolve(ReconnectionService)).toThrow(/twin/);
  });
});
