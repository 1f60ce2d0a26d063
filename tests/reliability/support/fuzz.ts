import { readdirSync, readFileSync } from 'node:fs';
import { isReconnectKitError } from '@reconnect-kit/core';
import fc from 'fast-check';
import { SEED, scaled } from './scale.js';

/**
 * Shared fast-check plumbing: bounded runs, one fixed seed (fast-check prints seed and path on failure; replay
 * with RELIABILITY_SEED), and arbitraries for the inputs a webhook endpoint or admin API sees.
 */
export const fuzzRuns = (runs: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: scaled(runs) });

/** Every JSON fixture under `fixtures/payloads/<provider>/` whose file name starts with `prefix`. */
export function fixturePayloads(provider: string, prefix: string): unknown[] {
  const dir = new URL(`../../../fixtures/payloads/${provider}/`, import.meta.url);
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as unknown);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value (the root is `[]`). */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => pathsOf(item, [...prefix, i])));
  if (value !== null && typeof value === 'object') {
    return here.concat(...Object.entries(value).map(([key, item]) => pathsOf(item, [...prefix, key])));
  }
  return here;
}

function replaceAt(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (replacement === undefined && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = replaceAt(value[Number(head)] ?? null, rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...value };
    if (replacement === undefined && rest.length === 0) delete copy[String(head)];
    else copy[String(head)] = replaceAt(value[String(head)] ?? null, rest, replacement);
    return copy;
  }
  return value;
}

/**
 * A valid payload with one to three spots changed: a value replaced by arbitrary JSON, or a key removed.
 * Near-valid inputs reach the deep validation code that random bytes never get past.
 */
export function mutatedJson(valid: readonly unknown[]): fc.Arbitrary<unknown> {
  const edit = fc.record({
    at: fc.nat(),
    value: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined, freq: 4 }),
  });
  return fc
    .tuple(fc.constantFrom(...(valid as Json[])), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([base, edits]) =>
      edits.reduce<Json>((value, { at, value: replacement }) => {
        const paths = pathsOf(value);
        return replaceAt(value, paths[at % paths.length] ?? [], replacement as Json | undefined);
      }, base),
    );
}

/** Body bytes: random bytes, random JSON text, or mutated valid payloads (serialised by `serialize`). */
export function bodyBytes(valid: readonly unknown[], serialize: (body: unknown) => Uint8Array) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.json({ maxDepth: 3 }).map((text) => new TextEncoder().encode(text)),
    mutatedJson(valid).map(serialize),
    { arbitrary: mutatedJson(valid).map(serialize), weight: 3 },
  );
}

const HEADER_NAME = fc.oneof(
  fc.constantFrom(
    'x-argyle-signature',
    'finch-event-id',
    'finch-timestamp',
    'finch-signature',
    'content-type',
    'user-agent',
  ),
  fc.stringMatching(/^x-[a-z0-9-]{1,16}$/),
);

/** Printable header values (what an HTTP client can send at all), some shaped like the real ones. */
const HEADER_VALUE = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.stringMatching(/^[0-9a-f]{128}$/),
  fc.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
  fc.integer({ min: 0, max: 4_000_000_000 }).map(String),
);

export const headerRecords = fc.dictionary(HEADER_NAME, HEADER_VALUE, { maxKeys: 5 });

/** The rule for rejected webhooks: a ReconnectKitError with a 4xx status, nothing else. */
export function rejectionProblem(error: unknown): string | undefined {
  if (!isReconnectKitError(error)) {
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
  if (error.status < 400 || error.status >= 500) return `${error.code} has status ${error.status}`;
  if (!error.message) return `${error.code} has no message`;
  return undefined;
}
