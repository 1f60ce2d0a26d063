/**
 * Signed Argyle `accounts.updated` deliveries, built from the fixture payloads and serialised the way Argyle does
 * (pretty-printed, 2-space indent; hex HMAC-SHA512 of the body in `X-Argyle-Signature`).
 *
 * Event `i` of a run is about account `i % accounts.length` and alternately breaks it (`auth_required`) and
 * repairs it (`connected`), with `updated_at` = start + i ms. So every delivery is new (its own event id), in
 * order, and applies a real transition, which is the expensive path of `ingestWebhook`.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ROOT } from './packages.mjs';

export const WEBHOOK_SECRET = 'bench-argyle-webhook-secret';
export const SIGNATURE_HEADER = 'x-argyle-signature';
const START = Date.parse('2026-03-01T00:00:00.000Z');

const template = (name) =>
  JSON.parse(readFileSync(`${ROOT}fixtures/payloads/argyle/webhook-accounts.updated.${name}.json`, 'utf8'));

/**
 * A fixture serialised once with placeholders in the fields that vary, split into `[text, field, text, …]`, so
 * building a delivery is a string join instead of a deep clone and a pretty-printing pass (same bytes: the values
 * are UUIDs and ISO dates, which JSON does not escape).
 */
function compile(name) {
  const payload = template(name);
  const at = '@@at@@';
  payload.data.account = '@@account@@';
  payload.data.user = '@@user@@';
  Object.assign(payload.data.resource, {
    id: '@@account@@',
    user: '@@user@@',
    updated_at: at,
    scanned_at: at,
  });
  payload.data.resource.connection.updated_at = at;
  return JSON.stringify(payload, null, 2).split(/@@(account|user|at)@@/);
}
const TEMPLATES = { broken: compile('auth_required'), repaired: compile('connected') };

/** `count` accounts, each with its Argyle user (the account's parent). */
export function makeAccounts(count) {
  return Array.from({ length: count }, () => ({ account: randomUUID(), user: randomUUID() }));
}

export function sign(body, secret = WEBHOOK_SECRET) {
  return createHmac('sha512', secret).update(body).digest('hex');
}

/** The raw bytes and signature of delivery number `index` (see the module comment). */
export function delivery(accounts, index) {
  const { account, user } = accounts[index % accounts.length];
  const cycle = Math.floor(index / accounts.length);
  const parts = cycle % 2 === 0 ? TEMPLATES.broken : TEMPLATES.repaired;
  const values = { account, user, at: new Date(START + index).toISOString() };
  let json = '';
  // Odd positions hold field names (the split's capture group), even ones the text between them.
  for (let i = 0; i < parts.length; i += 1) json += i % 2 === 0 ? parts[i] : values[parts[i]];
  const body = Buffer.from(json);
  return { body, signature: sign(body) };
}

/** Deliveries `from` … `from + count - 1`, with their request headers, built before any timing starts. */
export function deliveries(accounts, from, count) {
  return Array.from({ length: count }, (_, offset) => {
    const { body, signature } = delivery(accounts, from + offset);
    const headers = new Headers({ 'content-type': 'application/json', [SIGNATURE_HEADER]: signature });
    return { body, signature, headers };
  });
}

/**
 * The bare baseline: what a hand-written receiver does at the least (check the HMAC, parse, store one row).
 * `insertRow([account, event, status, updated_at, received_at])` stores the row, synchronously or not.
 */
export function bareReceiver(insertRow) {
  return async ({ body, headers }) => {
    const received = Buffer.from(headers.get(SIGNATURE_HEADER) ?? '', 'hex');
    const expected = Buffer.from(sign(body), 'hex');
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
      throw new Error('bad signature');
    }
    const { event, data } = JSON.parse(body.toString('utf8'));
    await insertRow([
      data.account,
      event,
      data.resource.connection.status,
      data.resource.updated_at,
      new Date().toISOString(),
    ]);
  };
}
