import type { ConnectionEventType, ConnectionState } from './types.js';
import { TERMINAL_STATES } from './types.js';

/**
 * The legal state transitions, as data. Every row is one (from → to) pair and the specific event it emits
 * (`undefined`: only the generic `connection.state_changed`, which every applied transition emits too).
 * Pairs not listed are illegal: they are recorded in the ignored journal and never applied.
 * Terminal states (`revoked`, `disconnected`) have no outgoing rows.
 */
export interface TransitionRule {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  readonly event: ConnectionEventType | undefined;
}

const NEEDS_USER: readonly ConnectionState[] = ['needs_reauth', 'needs_credentials'];

/** States the user was not needed in: entering a needs-user state from one of these is "broken". */
const BROKEN_FROM: readonly ConnectionState[] = ['pending', 'connected', 'reconnecting', 'degraded'];

/** States from which returning to `connected` counts as "recovered" (pending → connected is a first connect). */
const RECOVERED_FROM: readonly ConnectionState[] = [
  'needs_reauth',
  'needs_credentials',
  'reconnecting',
  'degraded',
];

function eventFor(from: ConnectionState, to: ConnectionState): ConnectionEventType | undefined {
  if (NEEDS_USER.includes(to)) return BROKEN_FROM.includes(from) ? 'connection.broken' : undefined;
  if (to === 'connected') return RECOVERED_FROM.includes(from) ? 'connection.recovered' : undefined;
  if (to === 'reconnecting') return 'connection.reconnect_started';
  if (to === 'degraded') return 'connection.degraded';
  if (to === 'revoked') return 'connection.revoked';
  if (to === 'disconnected') return 'connection.disconnected';
  return undefined;
}

/** Legal targets per source state. `pending` is an initial state only: nothing returns to it. */
const LEGAL_TARGETS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  pending: [
    'connected',
    'needs_reauth',
    'needs_credentials',
    'reconnecting',
    'degraded',
    'revoked',
    'disconnected',
  ],
  connected: ['needs_reauth', 'needs_credentials', 'reconnecting', 'degraded', 'revoked', 'disconnected'],
  needs_reauth: ['connected', 'needs_credentials', 'reconnecting', 'degraded', 'revoked', 'disconnected'],
  needs_credentials: ['connected', 'needs_reauth', 'reconnecting', 'degraded', 'revoked', 'disconnected'],
  reconnecting: ['connected', 'needs_reauth', 'needs_credentials', 'degraded', 'revoked', 'disconnected'],
  degraded: ['connected', 'needs_reauth', 'needs_credentials', 'reconnecting', 'revoked', 'disconnected'],
  revoked: [],
  disconnected: [],
};

export const TRANSITION_TABLE: readonly TransitionRule[] = Object.entries(LEGAL_TARGETS).flatMap(
  ([from, targets]) =>
    targets.map((to) => ({
      from: from as ConnectionState,
      to,
      event: eventFor(from as ConnectionState, to),
    })),
);

/**
 * How a vendor signal's state is read in the light of the current state, before the table is consulted.
 * A vendor "being connected" signal (Argyle `connecting`, Finch `processing`, mapped to `pending` by adapters)
 * means the user is going through the vendor flow again: while `reconnecting` it keeps `reconnecting` (a
 * same-state update, no event), and from a needs-user state a vendor EVENT means the user started the reconnect on
 * the vendor side (→ `reconnecting`). A status READ of it from a needs-user state keeps that state (`whenRead`): a
 * standing "connecting" (the leftover of a flow the user abandoned, say) is no news, and a `reconnecting` entered
 * from it would have no attempt whose end could take it back. Elsewhere `pending` stays `pending` (and is illegal
 * unless the row exists).
 */
export const SIGNAL_RESOLUTION: readonly {
  readonly current: ConnectionState;
  readonly signal: ConnectionState;
  readonly resolved: ConnectionState;
  /** What a status read (rather than a vendor event) resolves to, when that differs. */
  readonly whenRead?: ConnectionState;
}[] = [
  { current: 'reconnecting', signal: 'pending', resolved: 'reconnecting' },
  { current: 'needs_reauth', signal: 'pending', resolved: 'reconnecting', whenRead: 'needs_reauth' },
  {
    current: 'needs_credentials',
    signal: 'pending',
    resolved: 'reconnecting',
    whenRead: 'needs_credentials',
  },
];

/** Where a signal comes from: a vendor event (webhook, API error) or a read of the vendor's current status. */
export type SignalSource = 'event' | 'read';

export function resolveSignalState(
  current: ConnectionState,
  signal: ConnectionState,
  source: SignalSource = 'event',
): ConnectionState {
  const rule = SIGNAL_RESOLUTION.find((r) => r.current === current && r.signal === signal);
  if (!rule) return signal;
  return source === 'read' ? (rule.whenRead ?? rule.resolved) : rule.resolved;
}

/**
 * The service's own step when a reconnect attempt ends without a completion (its state expired): `reconnecting`
 * goes back to the state the attempt started from, with `connection.reconnect_abandoned` instead of the event the
 * same pair has as a signal (going back to `needs_reauth` is no new breakage, going back to `connected` no
 * recovery). `pending` is reachable here only: a reconnect started while the first connect was under way.
 */
export const ABANDON_TABLE: readonly TransitionRule[] = (
  ['pending', 'connected', 'needs_reauth', 'needs_credentials', 'degraded'] as const
).map((to) => ({ from: 'reconnecting', to, event: 'connection.reconnect_abandoned' }));

/** Who asks for a transition: a signal (vendor or the service's reconnect steps) or an attempt's end. */
export type TransitionStep = 'signal' | 'abandon';

const RULES: Readonly<Record<TransitionStep, ReadonlyMap<string, TransitionRule>>> = {
  signal: new Map(TRANSITION_TABLE.map((rule) => [`${rule.from}>${rule.to}`, rule])),
  abandon: new Map(ABANDON_TABLE.map((rule) => [`${rule.from}>${rule.to}`, rule])),
};

export function findTransition(
  from: ConnectionState,
  to: ConnectionState,
  step: TransitionStep = 'signal',
): TransitionRule | undefined {
  return RULES[step].get(`${from}>${to}`);
}

export function isTerminalState(state: ConnectionState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** States in which the end user has to act (the notifier is called on entering them). */
export const USER_ACTION_STATES: readonly ConnectionState[] = [
  'needs_reauth',
  'needs_credentials',
  'revoked',
];

export type TransitionDecision =
  | { readonly kind: 'apply'; readonly to: ConnectionState; readonly events: readonly ConnectionEventType[] }
  | { readonly kind: 'same_state'; readonly to: ConnectionState }
  | {
      readonly kind: 'ignore';
      readonly reason: 'terminal' | 'illegal_transition' | 'stale';
      readonly to: ConnectionState;
    };

/**
 * Decides what a signal does to a connection. `occurredAt` older than `lastSignalAt` is stale; equal is not
 * (two signals in the same millisecond are applied in arrival order).
 */
export function decideTransition(input: {
  readonly current: ConnectionState;
  readonly signal: ConnectionState;
  readonly occurredAt?: Date | undefined;
  readonly lastSignalAt?: string | undefined;
  /** Default `signal`; `abandon` looks the pair up in `ABANDON_TABLE` (and reads no vendor signal). */
  readonly step?: TransitionStep | undefined;
  /** Default `event`; see `SIGNAL_RESOLUTION`. */
  readonly source?: SignalSource | undefined;
}): TransitionDecision {
  const step = input.step ?? 'signal';
  const to = step === 'signal' ? resolveSignalState(input.current, input.signal, input.source) : input.signal;
  if (input.occurredAt && input.lastSignalAt && input.occurredAt.getTime() < Date.parse(input.lastSignalAt)) {
    return { kind: 'ignore', reason: 'stale', to };
  }
  if (isTerminalState(input.current)) return { kind: 'ignore', reason: 'terminal', to };
  if (to === input.current) return { kind: 'same_state', to };
  const rule = findTransition(input.current, to, step);
  if (!rule) return { kind: 'ignore', reason: 'illegal_transition', to };
  const events: ConnectionEventType[] = rule.event ? [rule.event] : [];
  events.push('connection.state_changed');
  return { kind: 'apply', to, events };
}
