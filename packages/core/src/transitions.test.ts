import { describe, expect, it } from 'vitest';
import {
  ABANDON_TABLE,
  decideTransition,
  findTransition,
  resolveSignalState,
  SIGNAL_RESOLUTION,
  TRANSITION_TABLE,
} from './transitions.js';
import { CONNECTION_STATES, type ConnectionState, TERMINAL_STATES } from './types.js';

const pairs = CONNECTION_STATES.flatMap((from) => CONNECTION_STATES.map((to) => ({ from, to })));
const aliased = (from: ConnectionState, to: ConnectionState) =>
  SIGNAL_RESOLUTION.some((rule) => rule.current === from && rule.signal === to);

describe('transition table', () => {
  it('has no duplicate rows and no rows out of terminal states or into pending', () => {
    const keys = TRANSITION_TABLE.map((rule) => `${rule.from}>${rule.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(TRANSITION_TABLE.filter((rule) => TERMINAL_STATES.includes(rule.from))).toEqual([]);
    expect(TRANSITION_TABLE.filter((rule) => rule.to === 'pending')).toEqual([]);
    expect(TRANSITION_TABLE.filter((rule) => rule.from === rule.to)).toEqual([]);
  });

  describe.each(TRANSITION_TABLE)('legal $from → $to', (rule) => {
    it(`applies with ${rule.event ?? 'only state_changed'} followed by connection.state_changed`, () => {
      const decision = decideTransition({ current: rule.from, signal: rule.to });
      expect(decision).toEqual({
        kind: 'apply',
        to: rule.to,
        events: [...(rule.event ? [rule.event] : []), 'connection.state_changed'],
      });
    });
  });

  const illegal = pairs.filter(
    ({ from, to }) => from !== to && !findTransition(from, to) && !aliased(from, to),
  );
  it('covers every non-listed pair as illegal', () => {
    expect(
      illegal.length + TRANSITION_TABLE.length + CONNECTION_STATES.length + SIGNAL_RESOLUTION.length,
    ).toBe(pairs.length);
  });
  describe.each(illegal)('illegal $from → $to', ({ from, to }) => {
    it('is ignored', () => {
      const decision = decideTransition({ current: from, signal: to });
      expect(decision.kind).toBe('ignore');
      if (decision.kind === 'ignore') {
        expect(decision.reason).toBe(TERMINAL_STATES.includes(from) ? 'terminal' : 'illegal_transition');
      }
    });
  });

  it('names the specific events', () => {
    const event = (from: ConnectionState, to: ConnectionState) => findTransition(from, to)?.event;
    expect(event('connected', 'needs_reauth')).toBe('connection.broken');
    expect(event('reconnecting', 'needs_credentials')).toBe('connection.broken');
    expect(event('needs_reauth', 'needs_credentials')).toBeUndefined();
    expect(event('needs_reauth', 'reconnecting')).toBe('connection.reconnect_started');
    expect(event('reconnecting', 'connected')).toBe('connection.recovered');
    expect(event('degraded', 'connected')).toBe('connection.recovered');
    expect(event('pending', 'connected')).toBeUndefined();
    expect(event('connected', 'degraded')).toBe('connection.degraded');
    expect(event('connected', 'revoked')).toBe('connection.revoked');
    expect(event('needs_reauth', 'disconnected')).toBe('connection.disconnected');
  });
});

describe('decideTransition', () => {
  it('treats a same-state signal as a vendor update without events', () => {
    for (const state of CONNECTION_STATES.filter((s) => !TERMINAL_STATES.includes(s))) {
      expect(decideTransition({ current: state, signal: state })).toEqual({ kind: 'same_state', to: state });
    }
  });

  it('keeps reconnecting when the vendor reports "connecting" (pending) during a reconnect', () => {
    expect(resolveSignalState('reconnecting', 'pending')).toBe('reconnecting');
    expect(decideTransition({ current: 'reconnecting', signal: 'pending' })).toEqual({
      kind: 'same_state',
      to: 'reconnecting',
    });
  });

  it('reads "connecting" from a needs-user state as the user reconnecting on the vendor side', () => {
    expect(decideTransition({ current: 'needs_reauth', signal: 'pending' })).toEqual({
      kind: 'apply',
      to: 'reconnecting',
      events: ['connection.reconnect_started', 'connection.state_changed'],
    });
  });

  it('a status read of "connecting" from a needs-user state keeps that state (a standing status is no news)', () => {
    for (const state of ['needs_reauth', 'needs_credentials'] as const) {
      expect(decideTransition({ current: state, signal: 'pending', source: 'read' })).toEqual({
        kind: 'same_state',
        to: state,
      });
    }
    expect(decideTransition({ current: 'reconnecting', signal: 'pending', source: 'read' })).toEqual({
      kind: 'same_state',
      to: 'reconnecting',
    });
  });

  it('ignores a signal older than the last applied one, but not an equally old one', () => {
    const lastSignalAt = '2026-01-01T00:00:10.000Z';
    expect(
      decideTransition({
        current: 'connected',
        signal: 'needs_reauth',
        occurredAt: new Date('2026-01-01T00:00:09.999Z'),
        lastSignalAt,
      }),
    ).toEqual({ kind: 'ignore', reason: 'stale', to: 'needs_reauth' });
    expect(
      decideTransition({
        current: 'connected',
        signal: 'needs_reauth',
        occurredAt: new Date(lastSignalAt),
        lastSignalAt,
      }).kind,
    ).toBe('apply');
  });

  it('accepts nothing in terminal states, not even the same state', () => {
    for (const state of TERMINAL_STATES) {
      expect(decideTransition({ current: state, signal: state })).toMatchObject({
        kind: 'ignore',
        reason: 'terminal',
      });
    }
  });
});

describe('abandon table (an attempt that ended unfinished)', () => {
  it('takes reconnecting back to any non-terminal state with reconnect_abandoned, nothing else', () => {
    for (const to of CONNECTION_STATES) {
      const decision = decideTransition({ current: 'reconnecting', signal: to, step: 'abandon' });
      if (to === 'reconnecting') expect(decision.kind).toBe('same_state');
      else if (TERMINAL_STATES.includes(to)) expect(decision).toMatchObject({ kind: 'ignore' });
      else {
        expect(decision).toEqual({
          kind: 'apply',
          to,
          events: ['connection.reconnect_abandoned', 'connection.state_changed'],
        });
      }
    }
    expect(ABANDON_TABLE.every((rule) => rule.from === 'reconnecting')).toBe(true);
  });

  it('applies only from reconnecting, and a signal never uses it', () => {
    expect(decideTransition({ current: 'needs_reauth', signal: 'connected', step: 'abandon' })).toMatchObject(
      {
        kind: 'ignore',
        reason: 'illegal_transition',
      },
    );
    // As a signal, reconnecting → pending is read as "still connecting", and → needs_reauth is a breakage.
    expect(decideTransition({ current: 'reconnecting', signal: 'pending' }).kind).toBe('same_state');
    expect(decideTransition({ current: 'reconnecting', signal: 'needs_reauth' })).toMatchObject({
      events: ['connection.broken', 'connection.state_changed'],
    });
  });
});
