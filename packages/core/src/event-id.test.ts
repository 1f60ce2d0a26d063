import { describe, expect, it } from 'vitest';
import { eventIdFor, sortableTime } from './event-id.js';

const change = (version: number, updatedAt: string) => ({ id: 'conn_1', version, updatedAt });

describe('eventIdFor', () => {
  it('is the same for the same change and differs for another version, type or discriminator', () => {
    const at = '2026-03-01T12:00:00.000Z';
    const id = eventIdFor(change(2, at), 'connection.broken');
    expect(eventIdFor(change(2, at), 'connection.broken')).toBe(id);
    const others = [
      eventIdFor(change(3, at), 'connection.broken'),
      eventIdFor(change(2, at), 'connection.state_changed'),
      eventIdFor(change(2, at), 'connection.broken', 'nonce_1'),
      eventIdFor({ ...change(2, at), id: 'conn_2' }, 'connection.broken'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('sorts by the time of the change', () => {
    const times = ['2026-03-01T12:00:00.000Z', '2026-03-01T12:00:00.001Z', '2027-01-01T00:00:00.000Z'];
    // Later changes of other connections with higher versions still sort after earlier ones.
    const ids = times.map((at, index) =>
      eventIdFor({ id: `conn_${9 - index}`, version: 9 - index, updatedAt: at }, 'connection.state_changed'),
    );
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^evt_0[0-9a-f]{11}[\w-]{22}$/);
  });
});

describe('sortableTime', () => {
  it('is epoch milliseconds as 12 hex digits, and zero for a time it cannot read', () => {
    expect(sortableTime('1970-01-01T00:00:00.255Z')).toBe('0000000000ff');
    expect(sortableTime('2026-03-01T12:00:00.000Z')).toBe(
      Date.parse('2026-03-01T12:00:00.000Z').toString(16).padStart(12, '0'),
    );
    expect(sortableTime('not a time')).toBe('000000000000');
  });
});
