import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accountSchema } from './generated/account.js';
import { depositDestinationSchema } from './generated/deposit-destination.js';
import { employerSchema } from './generated/employer.js';
import { employmentSchema } from './generated/employment.js';
import { errorSchema } from './generated/error.js';
import { gigSchema } from './generated/gig.js';
import { identitySchema } from './generated/identity.js';
import { inviteSchema } from './generated/invite.js';
import { itemSchema } from './generated/item.js';
import { paginatedSchema } from './generated/paginated.js';
import { payrollDocumentSchema } from './generated/payroll-document.js';
import { paystubSchema } from './generated/paystub.js';
import { ratingSchema } from './generated/rating.js';
import { reportSchema } from './generated/report.js';
import { sessionSchema } from './generated/session.js';
import { shiftSchema } from './generated/shift.js';
import { userSchema } from './generated/user.js';
import { userFormSchema } from './generated/user-form.js';
import { userTokenSchema } from './generated/user-token.js';
import { userUploadSchema } from './generated/user-upload.js';
import { vehicleSchema } from './generated/vehicle.js';
import { verificationSchema } from './generated/verification.js';
import { webhookAccountsSchema } from './generated/webhook-accounts.js';
import { webhookDataSchema } from './generated/webhook-data.js';
import { webhookSubscriptionSchema } from './generated/webhook-subscription.js';
import { webhookUsersSchema } from './generated/webhook-users.js';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures');
const payloadsDir = join(fixturesDir, 'payloads', 'argyle');
const schemasDir = join(fixturesDir, 'schemas', 'argyle');

// Payload files are named `<schema>.<variant>.json`; the prefix picks the schema.
const validators: Record<string, z.ZodType> = {
  account: z.fromJSONSchema(accountSchema),
  error: z.fromJSONSchema(errorSchema),
  invite: z.fromJSONSchema(inviteSchema),
  paginated: z.fromJSONSchema(paginatedSchema),
  user: z.fromJSONSchema(userSchema),
  'user-token': z.fromJSONSchema(userTokenSchema),
  'webhook-accounts': z.fromJSONSchema(webhookAccountsSchema),
  'webhook-subscription': z.fromJSONSchema(webhookSubscriptionSchema),
  // The data resources the mock serves (the adapter reads only accounts and webhooks).
  'deposit-destination': z.fromJSONSchema(depositDestinationSchema),
  employer: z.fromJSONSchema(employerSchema),
  employment: z.fromJSONSchema(employmentSchema),
  gig: z.fromJSONSchema(gigSchema),
  identity: z.fromJSONSchema(identitySchema),
  item: z.fromJSONSchema(itemSchema),
  'payroll-document': z.fromJSONSchema(payrollDocumentSchema),
  paystub: z.fromJSONSchema(paystubSchema),
  rating: z.fromJSONSchema(ratingSchema),
  report: z.fromJSONSchema(reportSchema),
  session: z.fromJSONSchema(sessionSchema),
  shift: z.fromJSONSchema(shiftSchema),
  vehicle: z.fromJSONSchema(vehicleSchema),
  verification: z.fromJSONSchema(verificationSchema),
  'webhook-data': z.fromJSONSchema(webhookDataSchema),
  'webhook-users': z.fromJSONSchema(webhookUsersSchema),
  'user-form': z.fromJSONSchema(userFormSchema),
  'user-upload': z.fromJSONSchema(userUploadSchema),
};

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const payloadFiles = readdirSync(payloadsDir).filter((f) => f.endsWith('.json'));
const payload = (file: string) => readJson(join(payloadsDir, file)) as Record<string, unknown>;
const account = validators.account!;

describe('Argyle fixture payloads', () => {
  it('has a payload for every schema and a schema for every payload', () => {
    const prefixes = new Set(payloadFiles.map((f) => f.split('.')[0]));
    expect([...prefixes].sort()).toEqual(Object.keys(validators).sort());
    const schemaNames = readdirSync(schemasDir).map((f) => f.replace('.schema.json', ''));
    expect(schemaNames.sort()).toEqual(Object.keys(validators).sort());
  });

  it.each(payloadFiles)('%s validates against its schema', (file) => {
    const validator = validators[file.split('.')[0]!];
    expect(validator, `no schema for ${file}`).toBeDefined();
    const result = validator!.safeParse(payload(file));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('every list page holds valid accounts', () => {
    for (const file of payloadFiles.filter((f) => f.startsWith('paginated.accounts'))) {
      const results = payload(file).results as unknown[];
      expect(results.length).toBeGreaterThan(0);
      for (const item of results) expect(account.safeParse(item).success).toBe(true);
    }
  });

  it('the generated schema consts match the fixture files', () => {
    expect(accountSchema).toEqual(readJson(join(schemasDir, 'account.schema.json')));
    expect(webhookAccountsSchema).toEqual(readJson(join(schemasDir, 'webhook-accounts.schema.json')));
  });

  it('the account copy inside the webhook schema has not drifted from account.schema.json', () => {
    const { $defs: webhookDefs } = webhookAccountsSchema as {
      $defs: Record<string, Record<string, unknown>>;
    };
    const { $defs: accountDefs, properties, required } = accountSchema as Record<string, unknown>;
    expect(webhookDefs.Account?.properties).toEqual(properties);
    expect(webhookDefs.Account?.required).toEqual(required);
    for (const [name, def] of Object.entries(accountDefs as Record<string, unknown>)) {
      expect(webhookDefs[name], name).toEqual(def);
    }
  });

  it('lists the complete connection.error_code enum of the v2 OpenAPI (50 codes)', () => {
    const codes = (accountSchema as { $defs: { ConnectionErrorCode: { enum: string[] } } }).$defs
      .ConnectionErrorCode.enum;
    expect(codes).toHaveLength(50);
    expect(new Set(codes).size).toBe(50);
    expect(codes).toContain('auth_required');
    expect(codes).toContain('user_action_timeout');
  });

  describe('the schemas reject what Argyle never sends', () => {
    const connected = payload('account.connected.json') as { connection: Record<string, unknown> };
    it.each([
      ['an unknown connection.status', { connection: { ...connected.connection, status: 'disconnected' } }],
      ['an unknown error_code', { connection: { ...connected.connection, error_code: 'not_a_code' } }],
      ['a non-ISO updated_at', { updated_at: 'yesterday' }],
      ['a v1-style item id', { item: 'usps' }],
      ['a missing user', { user: undefined }],
    ])('account with %s', (_label, patch) => {
      expect(account.safeParse({ ...connected, ...patch }).success).toBe(false);
    });

    it('a webhook with an unknown accounts.* event or without data.user', () => {
      const webhook = validators['webhook-accounts']!;
      const removed = payload('webhook-accounts.removed.json') as { data: Record<string, unknown> };
      expect(webhook.safeParse({ ...removed, event: 'accounts.deleted' }).success).toBe(false);
      expect(webhook.safeParse({ ...removed, data: { account: removed.data.account } }).success).toBe(false);
    });

    it('an error body that is neither {detail} nor {field: [messages]}', () => {
      const error = validators.error!;
      expect(error.safeParse({ detail: 404 }).success).toBe(false);
      expect(error.safeParse({ email: 'Enter a valid email address.' }).success).toBe(false);
      expect(error.safeParse({}).success).toBe(false);
    });
  });
});
