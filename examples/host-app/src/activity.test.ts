import type { ConnectionEvent } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { ActivityFeed } from './activity.js';

let seq = 0;
const event = (overrides: Partial<ConnectionEvent> = {}): ConnectionEvent => ({
  id: `evt_${++seq}`,
  type: 'connection.state_changed',
  connectionId: 'conn_1',
  provider: 'finch',
  hostUserId: 'carol',
  occurredAt: new Date(Date.UTC(2026, 10, 23, 12, 0, seq)).toISOString(),
  cause: { kind: 'webhook' },
  ...overrides,
});

describe('ActivityFeed', () => {
  it('keeps each connection’s history newest first and ignores redelivered events', () => {
    const feed = new ActivityFeed();
    const heard: string[] = [];
    feed.listen((e) => heard.push(e.id));
    const first = event();
    const second = event({ type: 'connection.broken' });
    feed.record(first);
    feed.record(second);
    feed.record(first); // at-least-once delivery
    feed.record(event({ connectionId: 'conn_2' }));
    expect(feed.history('conn_1').map((e) => e.id)).toEqual([second.id, first.id]);
    expect(heard).toEqual([first.id, second.id, `evt_${seq}`]);
    expect(feed.recent()[0]?.connectionId).toBe('conn_2');
  });

  it('bounds the history per connection', () => {
    const feed = new ActivityFeed();
    for (let i = 0; i < 40; i++) feed.record(event({ connectionId: 'busy' }));
    expect(feed.history('busy')).toHaveLength(30);
    expect(feed.recent()).toHaveLength(8);
  });

  it('reports an account mismatch until the connection recovers', () => {
    const feed = new ActivityFeed();
    const data = {
      expected: { upstreamId: 'conn-a', upstreamParentId: 'company-a' },
      actual: { upstreamId: 'conn-b', upstreamParentId: 'company-b' },
    };
    expect(feed.pendingMismatch('conn_1')).toBeUndefined();
    const mismatch = event({ type: 'connection.account_mismatch', data });
    feed.record(mismatch);
    feed.record(event({ type: 'connection.state_changed', from: 'reconnecting', to: 'needs_reauth' }));
    expect(feed.pendingMismatch('conn_1')).toEqual({ at: mismatch.occurredAt, ...data });
    feed.record(event({ type: 'connection.recovered', from: 'reconnecting', to: 'connected' }));
    expect(feed.pendingMismatch('conn_1')).toBeUndefined();
  });
});
