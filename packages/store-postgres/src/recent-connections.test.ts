import type { Connection } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { RecentConnections } from './recent-connections.js';

const T0 = '2026-03-01T00:00:00.000Z';
const connection = (id: string, overrides: Partial<Connection> = {}): Connection => ({
  id,
  provider: 'example',
  hostUserId: 'user_1',
  upstreamId: `acc_${id}`,
  state: 'connected',
  version: 1,
  metadata: {},
  createdAt: T0,
  updatedAt: T0,
  stateChangedAt: T0,
  ...overrides,
});

describe('RecentConnections', () => {
  it('answers by id and by live upstream id, each time with a copy of its own', () => {
    const recent = new RecentConnections(10);
    recent.remember(connection('a'));
    const first = recent.get('a') as Connection;
    (first.metadata as Record<string, unknown>).changed = true;
    expect(recent.findByUpstream('example', 'acc_a')).toEqual(connection('a'));
    expect(recent.findByUpstream('other', 'acc_a')).toBeUndefined();
  });

  it('drops a connection that is no longer live, and what is forgotten', () => {
    const recent = new RecentConnections(10);
    recent.remember(connection('a'));
    recent.remember(connection('a', { state: 'revoked', version: 2 }));
    expect(recent.get('a')).toBeUndefined();
    expect(recent.findByUpstream('example', 'acc_a')).toBeUndefined();
    recent.remember(connection('b'));
    recent.forget('b');
    expect(recent.size).toBe(0);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const recent = new RecentConnections(2);
    recent.remember(connection('a'));
    recent.remember(connection('b'));
    recent.get('a');
    recent.remember(connection('c'));
    expect([recent.get('a')?.id, recent.get('b')?.id, recent.get('c')?.id]).toEqual(['a', undefined, 'c']);
  });

  it('remembers nothing with capacity 0', () => {
    const recent = new RecentConnections(0);
    recent.remember(connection('a'));
    expect(recent.get('a')).toBeUndefined();
  });
});
