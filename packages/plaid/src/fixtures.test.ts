import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
const readJson = (path: string): unknown => JSON.parse(readFileSync(`${fixturesDir}${path}`, 'utf8'));
const payloadFiles = readdirSync(`${fixturesDir}payloads/plaid`).filter((file) => file.endsWith('.json'));

/** `item-get-response.login-required.json` → schema `item-get-response`. */
const schemaOf = (file: string) => file.replace(/\.json$/, '').split('.')[0] ?? file;

describe('Plaid fixtures', () => {
  it.each(payloadFiles)('%s validates against its schema (from Plaid OpenAPI spec)', (file) => {
    const schema = z.fromJSONSchema(readJson(`schemas/plaid/${schemaOf(file)}.schema.json`) as never);
    const result = schema.safeParse(readJson(`payloads/plaid/${file}`));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('the schemas reject payloads of the wrong shape', () => {
    const error = z.fromJSONSchema(readJson('schemas/plaid/error.schema.json') as never);
    const webhook = z.fromJSONSchema(readJson('schemas/plaid/item-error-webhook.schema.json') as never);
    const body = readJson('payloads/plaid/item-error-webhook.login-required.json') as Record<string, unknown>;
    expect(webhook.safeParse({ ...body, item_id: undefined }).success).toBe(false);
    expect(webhook.safeParse({ ...body, environment: 'staging' }).success).toBe(false);
    expect(error.safeParse({ error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' }).success).toBe(
      false,
    );
  });
});
