import { afterAll, beforeEach, expect, test } from 'vitest';
import { type ArgyleHarness, BASIC_AUTH, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

/** The raw page bytes as the mock sends them to a client that reached it at `baseUrl`. */
async function rawPage(target: string, baseUrl = harness.mock.url): Promise<string> {
  const result = await harness.mock.instance.handleCall({
    method: 'GET',
    target,
    headers: new Headers({ authorization: BASIC_AUTH }),
    rawBody: new Uint8Array(),
    bodyTooLarge: false,
    baseUrl,
  });
  if (result.kind !== 'response' || result.status !== 200)
    throw new Error(`${target}: ${JSON.stringify(result)}`);
  return String(result.body);
}

test('a list page read again is the same bytes, and a data change is seen at once', async () => {
  const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
  // The scan below adds 1–5 pay periods (by account id) ahead of the restated paystub: a page of 10 still holds it
  // (with 5, one run in five failed).
  const target = `/v2/paystubs?account=${seeded.account_id}&limit=10`;
  const first = await rawPage(target);
  expect(await rawPage(target)).toBe(first);
  // The same page as a client sees it over HTTP, validated against the schemas.
  const viaHttp = await harness.api<{ results: { id: string }[]; next: string }>('GET', target);
  expect(JSON.stringify(viaHttp.body)).toBe(first);

  await harness.api('POST', `/v2/accounts/${seeded.account_id}/periodic-scan`);
  const after = JSON.parse(await rawPage(target)) as { results: { id: string; metadata: unknown }[] };
  const newest = after.results[0]!.id;
  expect(newest).not.toBe(viaHttp.body.results[0]!.id);
  // The restated paystub (a replaced record) is served in its new version too.
  const restated = await harness.api<{ metadata: Record<string, unknown> }>(
    'GET',
    `/v2/paystubs/${viaHttp.body.results[0]!.id}`,
  );
  expect(restated.body.metadata).toHaveProperty('restated_at');
  const listed = after.results.find((row) => row.id === viaHttp.body.results[0]!.id);
  expect(listed?.metadata).toEqual(restated.body.metadata);
});

test('pages name the host each client used (next links, payroll document file_url)', async () => {
  const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
  for (const path of ['paystubs', 'payroll-documents']) {
    const target = `/v2/${path}?account=${seeded.account_id}&limit=1`;
    const local = await rawPage(target, 'http://127.0.0.1:1');
    const proxied = await rawPage(target, 'https://mock.example');
    expect(local).toContain('"next":"http://127.0.0.1:1/v2/');
    expect(proxied).toContain('"next":"https://mock.example/v2/');
    expect(proxied).not.toContain('127.0.0.1:1');
    expect(await rawPage(target, 'http://127.0.0.1:1')).toBe(local);
  }
});

test('a reset forgets the pages with the data', async () => {
  const seeded = await harness.scenario<{ account_id: string }>('argyle.seed_connected');
  const target = `/v2/paystubs?account=${seeded.account_id}`;
  expect(JSON.parse(await rawPage(target)).results.length).toBeGreaterThan(0);
  await harness.reset();
  expect(JSON.parse(await rawPage(target)).results).toEqual([]);
});
