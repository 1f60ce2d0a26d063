import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOW, signedWebhook, testKey } from './plaid.test-helpers.js';
import {
  MAX_KEY_LOOKUPS_PER_MINUTE,
  type PlaidVerificationKey,
  PlaidWebhookVerifier,
} from './webhook-verification.js';

const body = {
  webhook_type: 'ITEM',
  webhook_code: 'LOGIN_REPAIRED',
  item_id: 'item_1',
  environment: 'sandbox',
};

function verifierFor(keys: PlaidVerificationKey[], cacheMs = 60_000) {
  const fetched: string[] = [];
  const verifier = new PlaidWebhookVerifier(async (kid) => {
    fetched.push(kid);
    return keys.find((key) => key.kid === kid);
  }, cacheMs);
  return { verifier, fetched };
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; message?: string },
  );
  expect(error, 'the webhook was accepted').toBeDefined();
  return error!;
}

describe('PlaidWebhookVerifier', () => {
  const key = testKey('kid-1');

  it('accepts a JWT signed with the published key over the exact body, and returns iat', async () => {
    const { verifier } = verifierFor([key.jwk]);
    const { rawBody, headers } = signedWebhook(body, key, { iat: new Date(NOW.getTime() - 60_000) });
    expect(await verifier.verify(rawBody, headers, NOW)).toEqual({
      issuedAt: new Date(NOW.getTime() - 60_000),
    });
  });

  it('refuses a missing header, alg none, an unknown kid, another key, a changed body', async () => {
    const { verifier } = verifierFor([key.jwk]);
    const good = signedWebhook(body, key);
    expect(await rejection(verifier.verify(good.rawBody, new Headers(), NOW))).toMatchObject({
      code: 'webhook_signature_invalid',
    });
    const none = signedWebhook(body, key, { header: { alg: 'none', kid: 'kid-1' } });
    expect((await rejection(verifier.verify(none.rawBody, none.headers, NOW))).message).toContain('ES256');
    const unknown = signedWebhook(body, { ...testKey('kid-unknown') });
    expect((await rejection(verifier.verify(unknown.rawBody, unknown.headers, NOW))).message).toContain(
      'kid-unknown',
    );
    const forged = signedWebhook(body, { ...testKey('kid-x'), jwk: key.jwk });
    expect((await rejection(verifier.verify(forged.rawBody, forged.headers, NOW))).message).toContain(
      'signature',
    );
    const changed = new TextEncoder().encode(JSON.stringify({ ...body, webhook_code: 'ERROR' }, null, 2));
    expect((await rejection(verifier.verify(changed, good.headers, NOW))).message).toContain(
      'request_body_sha256',
    );
  });

  it('refuses a JWT older than 5 minutes as webhook_stale, and accepts one 5 minutes old', async () => {
    const { verifier } = verifierFor([key.jwk]);
    const stale = signedWebhook(body, key, { iat: new Date(NOW.getTime() - 301_000) });
    expect(await rejection(verifier.verify(stale.rawBody, stale.headers, NOW))).toMatchObject({
      code: 'webhook_stale',
    });
    const future = signedWebhook(body, key, { iat: new Date(NOW.getTime() + 301_000) });
    expect(await rejection(verifier.verify(future.rawBody, future.headers, NOW))).toMatchObject({
      code: 'webhook_stale',
    });
    const edge = signedWebhook(body, key, { iat: new Date(NOW.getTime() - 300_000) });
    await expect(verifier.verify(edge.rawBody, edge.headers, NOW)).resolves.toBeDefined();
  });

  it('refuses a key Plaid marks expired', async () => {
    const expired = testKey('kid-old', Math.floor(NOW.getTime() / 1000) - 10);
    const { verifier } = verifierFor([expired.jwk]);
    const { rawBody, headers } = signedWebhook(body, expired);
    expect((await rejection(verifier.verify(rawBody, headers, NOW))).message).toContain('expired');
  });

  it('fetches each kid once while cached (also for concurrent deliveries), and again after the cache time', async () => {
    const { verifier, fetched } = verifierFor([key.jwk], 60_000);
    const { rawBody, headers } = signedWebhook(body, key);
    await Promise.all([verifier.verify(rawBody, headers, NOW), verifier.verify(rawBody, headers, NOW)]);
    await verifier.verify(rawBody, headers, new Date(NOW.getTime() + 59_000));
    expect(fetched).toEqual(['kid-1']);
    const later = new Date(NOW.getTime() + 61_000);
    const again = signedWebhook(body, key, { iat: later });
    await verifier.verify(again.rawBody, again.headers, later);
    expect(fetched).toEqual(['kid-1', 'kid-1']);
  });

  it('remembers at most 64 key ids, so deliveries with made-up kids cannot grow the cache', async () => {
    const { verifier, fetched } = verifierFor([key.jwk], 3_600_000);
    const good = signedWebhook(body, key);
    await verifier.verify(good.rawBody, good.headers, NOW);
    // Spread out so that the lookup ceiling lets each made-up kid be looked up (and cached as unknown).
    const at = (i: number) => new Date(NOW.getTime() + (i + 1) * 6_001);
    for (let i = 0; i < 64; i++) {
      const madeUp = signedWebhook(body, testKey(`made-up-${i}`), { iat: at(i) });
      await verifier.verify(madeUp.rawBody, madeUp.headers, at(i)).catch(() => undefined);
    }
    const later = signedWebhook(body, key, { iat: at(64) });
    await verifier.verify(later.rawBody, later.headers, at(64));
    expect(fetched.filter((kid) => kid === 'kid-1')).toHaveLength(2);
  });

  it(`looks up at most ${MAX_KEY_LOOKUPS_PER_MINUTE} keys a minute: more made-up kids are refused without asking Plaid`, async () => {
    const { verifier, fetched } = verifierFor([key.jwk]);
    const madeUp = (i: number, at: Date) => signedWebhook(body, testKey(`made-up-${i}`), { iat: at });
    for (let i = 0; i < MAX_KEY_LOOKUPS_PER_MINUTE; i++) {
      const forged = madeUp(i, NOW);
      await verifier.verify(forged.rawBody, forged.headers, NOW).catch(() => undefined);
    }
    expect(fetched).toHaveLength(MAX_KEY_LOOKUPS_PER_MINUTE);
    const good = signedWebhook(body, key);
    expect(await rejection(verifier.verify(good.rawBody, good.headers, NOW))).toMatchObject({
      code: 'webhook_signature_invalid',
      message: expect.stringContaining('refused without asking Plaid'),
    });
    expect(fetched).toHaveLength(MAX_KEY_LOOKUPS_PER_MINUTE);
    const minuteLater = new Date(NOW.getTime() + 60_001);
    const retried = signedWebhook(body, key, { iat: minuteLater });
    await expect(verifier.verify(retried.rawBody, retried.headers, minuteLater)).resolves.toBeDefined();
  });

  it('does not remember a failed key fetch', async () => {
    let fail = true;
    const verifier = new PlaidWebhookVerifier(async () => {
      if (fail) throw new Error('Plaid unreachable');
      return key.jwk;
    }, 60_000);
    const { rawBody, headers } = signedWebhook(body, key);
    await expect(verifier.verify(rawBody, headers, NOW)).rejects.toThrow('Plaid unreachable');
    fail = false;
    await expect(verifier.verify(rawBody, headers, NOW)).resolves.toBeDefined();
  });
});

interface Vector {
  description: string;
  jwt: string;
  body: string;
  now: number;
  valid: boolean;
  error?: string;
}
const vectorFile = JSON.parse(
  readFileSync(new URL('../../../fixtures/vectors/plaid.json', import.meta.url), 'utf8'),
) as { key: PlaidVerificationKey; vectors: Vector[] };

describe('fixtures/vectors/plaid.json', () => {
  it.each(vectorFile.vectors.map((vector) => [vector.description, vector] as const))(
    '%s',
    async (_, vector) => {
      const { verifier } = verifierFor([vectorFile.key]);
      const result = verifier.verify(
        new TextEncoder().encode(vector.body),
        new Headers({ 'plaid-verification': vector.jwt }),
        new Date(vector.now * 1000),
      );
      if (vector.valid) await expect(result).resolves.toBeDefined();
      else await expect(result).rejects.toMatchObject({ code: vector.error });
    },
  );
});
