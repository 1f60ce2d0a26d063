import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Finch from '@tryfinch/finch-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(`${fixturesDir}${path}`, 'utf8'));

const schemaNames = readdirSync(`${fixturesDir}schemas/finch`).map((file) =>
  file.replace('.schema.json', ''),
);
const payloadFiles = readdirSync(`${fixturesDir}payloads/finch`);

/** `error.reauthenticate-user.json` → schema `error`; `company.json` → schema `company`. */
function schemaOf(payloadFile: string): string {
  const base = payloadFile.replace(/\.json$/, '');
  const name = base.split('.')[0] ?? base;
  return name;
}

describe('Finch fixtures', () => {
  it('every schema compiles with z.fromJSONSchema', () => {
    expect(schemaNames.length).toBeGreaterThanOrEqual(14);
    for (const name of schemaNames) {
      expect(() => z.fromJSONSchema(readJson(`schemas/finch/${name}.schema.json`) as never)).not.toThrow();
    }
  });

  it('every schema has at least one example payload', () => {
    const covered = new Set(payloadFiles.map(schemaOf));
    expect(schemaNames.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(payloadFiles)('%s validates against its schema', (file) => {
    const schema = z.fromJSONSchema(readJson(`schemas/finch/${schemaOf(file)}.schema.json`) as never);
    const result = schema.safeParse(readJson(`payloads/finch/${file}`));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('schemas reject payloads of the wrong shape', () => {
    const introspect = z.fromJSONSchema(readJson('schemas/finch/introspect.schema.json') as never);
    const webhook = z.fromJSONSchema(readJson('schemas/finch/webhook-event.schema.json') as never);
    const error = z.fromJSONSchema(readJson('schemas/finch/error.schema.json') as never);
    const connected = readJson('payloads/finch/introspect.connected.json') as Record<string, unknown>;
    expect(introspect.safeParse({ ...connected, connection_status: { status: 'broken' } }).success).toBe(
      false,
    );
    expect(introspect.safeParse({ ...connected, connection_id: undefined }).success).toBe(false);
    const reauth = readJson('payloads/finch/webhook-event.account-updated-reauth.json') as Record<
      string,
      unknown
    >;
    expect(webhook.safeParse({ ...reauth, data: { status: 'reauthenticating' } }).success).toBe(false);
    expect(
      webhook.safeParse({ ...reauth, data: { status: 'reauth', authentication_method: 42 } }).success,
    ).toBe(false);
    expect(webhook.safeParse({ ...reauth, company_id: undefined }).success).toBe(false);
    expect(error.safeParse({ code: 401, finch_code: 'reauthenticate_user' }).success).toBe(false);
  });
});

interface SignatureVector {
  description: string;
  secret: string;
  event_id: string;
  timestamp: string;
  body: string;
  signature: string;
  now: number;
  valid: boolean;
  error?: string;
}

const { vectors } = readJson('vectors/finch.json') as { vectors: SignatureVector[] };

describe('Finch signature vectors agree with the official SDK', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('contains the published SDK vector', () => {
    expect(vectors).toContainEqual(
      expect.objectContaining({
        secret: '5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH',
        event_id: 'msg_2Lh9KRb0pzN4LePd3XiA4v12Axj',
        timestamp: '1676312382',
        body: '{"company_id":"720be419-0293-4d32-a707-32179b0827ab"}',
        signature: 'v1,m7y0TV2C+hlHxU42wCieApTSTaA8/047OAplBqxIV/s=',
        valid: true,
      }),
    );
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThan(2);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThan(2);
  });

  it.each(vectors.map((v) => [v.description, v] as const))('%s', (_description, vector) => {
    vi.useFakeTimers({ toFake: ['Date'], now: vector.now * 1000 });
    const client = new Finch({ accessToken: 'unused', webhookSecret: vector.secret });
    const headers = {
      'finch-event-id': vector.event_id,
      'finch-timestamp': vector.timestamp,
      'finch-signature': vector.signature,
    };
    const unwrap = () => client.webhooks.unwrap(vector.body, headers);
    if (vector.valid) expect(unwrap()).toEqual(JSON.parse(vector.body));
    else if (vector.error === 'webhook_stale') expect(unwrap).toThrow(/timestamp is too (old|new)/);
    else expect(unwrap).toThrow(/signature|Invalid timestamp header/);
  });
});
