import type { ReconnectionService } from '@reconnect-kit/core';
import { inboundEventIds, type TableReader } from './inspect.js';
import type { Answer } from './send.js';
import type { Expectation, Storm, StormReference } from './storm.js';

const parsed = (value: unknown): Record<string, unknown> =>
  (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;

function setDifference(label: string, actual: ReadonlySet<string>, expected: ReadonlySet<string>): string[] {
  const missing = [...expected].filter((id) => !actual.has(id));
  const extra = [...actual].filter((id) => !expected.has(id));
  return [
    ...(missing.length ? [`${label}: ${missing.length} missing, e.g. ${missing[0]}`] : []),
    ...(extra.length ? [`${label}: ${extra.length} unexpected, e.g. ${extra[0]}`] : []),
  ];
}

/**
 * Compares what the store holds after a storm with the reference: the inbound dedupe table holds exactly the
 * valid events, each state-changing event caused exactly one `connection.state_changed`, the stale ones are in
 * the ignored journal, and every connection ends in the state of its newest event.
 */
export async function stormOutcomeProblems(
  reader: TableReader,
  storm: Storm,
  reference: StormReference,
): Promise<string[]> {
  const problems = setDifference(
    'inbound dedupe table',
    await inboundEventIds(reader, 'argyle'),
    reference.validEventIds,
  );

  const outbox = await reader.rows((t) => `SELECT body FROM ${t('outbox')}`);
  const changes = outbox
    .map((row) => parsed(row.body))
    .filter((event) => event.type === 'connection.state_changed')
    .map((event) => event.cause as { kind: string; ref?: string })
    .filter((cause) => cause.kind === 'webhook')
    .map((cause) => String(cause.ref));
  const changeRefs = new Set(changes);
  if (changeRefs.size !== changes.length) {
    problems.push(`${changes.length - changeRefs.size} webhook events caused more than one state change`);
  }
  problems.push(...setDifference('state changes caused by webhooks', changeRefs, reference.changingEventIds));

  const ignored = await reader.rows((t) => `SELECT body FROM ${t('ignored_signals')}`);
  const stale = new Set(
    ignored
      .map((row) => parsed(row.body))
      .filter((signal) => signal.reason === 'stale')
      .map((signal) => String(signal.eventId)),
  );
  problems.push(...setDifference('stale signals', stale, reference.staleEventIds));

  const connections = await reader.rows(
    (t) => `SELECT upstream_id, state FROM ${t('connections')} WHERE provider = 'argyle'`,
  );
  const stateOf = new Map(connections.map((row) => [String(row.upstream_id), String(row.state)]));
  const wrong = storm.accounts.filter(
    (account, a) => stateOf.get(account.accountId) !== reference.finalStates[a],
  );
  if (wrong.length > 0) {
    const a = storm.accounts.indexOf(wrong[0] as (typeof storm.accounts)[number]);
    problems.push(
      `${wrong.length} connections end in the wrong state, e.g. ${wrong[0]?.accountId}: ` +
        `${stateOf.get(wrong[0]?.accountId ?? '')} instead of ${reference.finalStates[a]}`,
    );
  }
  return problems;
}

/** Registers one live Argyle connection per storm account, as the host app would after a first Link. */
export async function registerStormAccounts(service: ReconnectionService, storm: Storm): Promise<void> {
  for (const [index, account] of storm.accounts.entries()) {
    await service.registerConnection({
      provider: 'argyle',
      hostUserId: `host_user_${index}`,
      upstreamId: account.accountId,
      upstreamParentId: account.userId,
    });
  }
}

/** The first few answers that differ from the reference (empty when all match). */
export function answerMismatches(
  answers: readonly (readonly Answer[])[],
  expectations: readonly (readonly Expectation[])[],
  limit = 5,
): string[] {
  const receiptOf: Record<string, object> = {
    applied: { applied: 1, duplicates: 0, ignored: 0 },
    ignored: { applied: 0, duplicates: 0, ignored: 1 },
    duplicate: { applied: 0, duplicates: 1, ignored: 0 },
  };
  const errorCodeOf: Record<number, string> = {
    400: 'webhook_payload_invalid',
    401: 'webhook_signature_invalid',
  };
  const mismatches: string[] = [];
  for (const [q, lane] of answers.entries()) {
    for (const [i, answer] of lane.entries()) {
      const expected = expectations[q]?.[i] as Expectation;
      const body = JSON.parse(answer.body || 'null') as Record<string, unknown> | null;
      const ok =
        answer.status === expected.status &&
        ('receipt' in expected
          ? JSON.stringify({ ...body, received: undefined }) === JSON.stringify(receiptOf[expected.receipt])
          : (body?.error as { code?: string } | undefined)?.code === errorCodeOf[expected.status]);
      if (!ok && mismatches.length < limit) {
        mismatches.push(
          `lane ${q} #${i}: expected ${JSON.stringify(expected)}, got ${answer.status} ${answer.body}`,
        );
      }
    }
  }
  return mismatches;
}
