import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { type ArgyleHarness, BASIC_AUTH, startHarness } from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Page<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

interface Seeded {
  user_id: string;
  account_id: string;
}

async function seed(username = 'test_1', item = 'item_000029932'): Promise<Seeded> {
  const seeded = await harness.scenario<Seeded>('argyle.seed_connected', { username, item });
  await harness.takeWebhooks();
  return seeded;
}

async function all<T>(path: string): Promise<T[]> {
  const rows: T[] = [];
  let next: string | null = path;
  while (next !== null) {
    const page: { body: Page<T> } = await harness.api<Page<T>>('GET', next);
    rows.push(...page.body.results);
    next = page.body.next;
  }
  return rows;
}

describe('data resources', () => {
  test('paystubs: newest first across pages, filtered by account, user, employment and paystub date', async () => {
    await harness.admin('POST', '/clock', { set: '2026-01-29T19:25:10.118Z' });
    const joe = await seed('test_3', 'item_000001543');
    await seed('test_2', 'item_000029932');
    const mine = await all<{ id: string; paystub_date: string; employment: string }>(
      `/v2/paystubs?user=${joe.user_id}&limit=7`,
    );
    const dates = mine.map((paystub) => paystub.paystub_date);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(new Set(mine.map((paystub) => paystub.id)).size).toBe(mine.length);
    const byAccount = await all<{ id: string }>(`/v2/paystubs?account=${joe.account_id}&limit=200`);
    expect(byAccount.map((paystub) => paystub.id).sort()).toEqual(mine.map((paystub) => paystub.id).sort());
    const employments = await harness.api<Page<{ id: string }>>(
      'GET',
      `/v2/employments?account=${joe.account_id}`,
    );
    expect(employments.body.results).toHaveLength(2);
    const first = employments.body.results[0]!.id;
    const ofFirst = await all<{ employment: string }>(`/v2/paystubs?employment=${first}&limit=200`);
    expect(ofFirst.length).toBeGreaterThan(0);
    expect(ofFirst.every((paystub) => paystub.employment === first)).toBe(true);
    const december = await all<{ paystub_date: string }>(
      `/v2/paystubs?account=${joe.account_id}&from_start_date=2025-12-01&to_start_date=2025-12-31T23:59:59Z`,
    );
    expect(december.map((paystub) => paystub.paystub_date)).toEqual([
      '2025-12-01T00:00:00Z',
      '2025-12-01T00:00:00Z',
    ]);
  });

  test('bad filters are DRF 400s naming the field; unknown ids are 404', async () => {
    const bad = await harness.api('GET', '/v2/paystubs?user=nope&from_start_date=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      user: ['Enter a valid UUID.'],
      from_start_date: ['Enter a valid date/time.'],
    });
    const missing = await harness.api('GET', '/v2/gigs/019c0b39-0b68-7b0c-8c2e-9d1a7f3b5e02');
    expect(missing).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
  });

  test('a gig account serves gigs, shifts, vehicles and ratings; a payroll account none of them', async () => {
    const gig = await seed('test_1', 'item_000000427');
    const payroll = await seed('test_2', 'item_000029932');
    for (const path of ['gigs', 'shifts', 'vehicles', 'ratings']) {
      const ofGig = await harness.api<Page<{ account: string }>>(
        'GET',
        `/v2/${path}?account=${gig.account_id}`,
      );
      expect(ofGig.body.results.length, path).toBeGreaterThan(0);
      const ofPayroll = await harness.api<Page<unknown>>('GET', `/v2/${path}?account=${payroll.account_id}`);
      expect(ofPayroll.body.results, path).toEqual([]);
    }
    const window = await all<{ start_datetime: string }>(
      `/v2/gigs?account=${gig.account_id}&from_start_datetime=2020-01-01T00:00:00Z&limit=200`,
    );
    const starts = window.map((gigRow) => gigRow.start_datetime);
    expect(starts).toEqual([...starts].sort().reverse());
  });

  test('a payroll document’s file_url redirects (with auth) to its PDF', async () => {
    const seeded = await seed('test_2');
    const documents = await harness.api<Page<{ id: string; file_url: string }>>(
      'GET',
      `/v2/payroll-documents?account=${seeded.account_id}`,
    );
    const document = documents.body.results[0]!;
    expect(document.file_url).toBe(`${harness.mock.url}/v2/payroll-documents/${document.id}/file`);
    expect((await fetch(document.file_url)).status).toBe(401);
    const file = await fetch(document.file_url, {
      headers: { authorization: BASIC_AUTH },
      redirect: 'manual',
    });
    expect(file.status).toBe(302);
    // fetch drops Authorization on redirects only across origins; the download is on the same host.
    const pdf = await fetch(document.file_url, { headers: { authorization: BASIC_AUTH } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.text()).startsWith('%PDF-1.4')).toBe(true);
  });

  test('after the account is deleted its data is gone: 404 by id, empty lists', async () => {
    const seeded = await seed('test_2');
    const paystub = (
      await harness.api<Page<{ id: string }>>('GET', `/v2/paystubs?account=${seeded.account_id}`)
    ).body.results[0]!;
    await harness.api('DELETE', `/v2/accounts/${seeded.account_id}`);
    expect((await harness.api('GET', `/v2/paystubs/${paystub.id}`)).status).toBe(404);
    for (const path of [
      'identities',
      'employments',
      'paystubs',
      'payroll-documents',
      'deposit-destinations',
    ]) {
      const list = await harness.api<Page<unknown>>('GET', `/v2/${path}?user=${seeded.user_id}`);
      expect(list.body.results, path).toEqual([]);
    }
  });
});

describe('items and employer search', () => {
  test('q matches names with a matching_score; kind, status and mapping_status filter; items page', async () => {
    const search = await harness.api<Page<{ id: string; matching_score: string }>>(
      'GET',
      '/v2/items?q=driver',
    );
    expect(search.body.results.map((item) => [item.id, item.matching_score])).toEqual([
      ['item_000000427', '0.80'],
      ['item_000000313', '0.80'],
    ]);
    const gigs = await harness.api<Page<{ kind: string }>>(
      'GET',
      '/v2/items?kind=gig&mapping_status=verified',
    );
    expect(gigs.body.results.map((item) => item.kind)).toEqual(['gig']);
    // As recorded: every listed Item carries matching_score (null without q), mapping_status before logo_url.
    expect(Object.keys(gigs.body.results[0]!)).toEqual([
      'id',
      'name',
      'kind',
      'known_limitations',
      'status',
      'status_details',
      'mapping_status',
      'logo_url',
      'is_grouping',
      'matching_score',
    ]);
    expect(gigs.body.results[0]).toMatchObject({ matching_score: null });
    const several = await harness.api<Page<{ id: string }>>(
      'GET',
      '/v2/items?status=healthy&status=issues&limit=2',
    );
    expect(several.body.results).toHaveLength(2);
    const rest = await all<{ id: string }>(several.body.next!);
    expect(rest.length).toBe(3);
    const bad = await harness.api('GET', '/v2/items?kind=bank');
    expect(bad).toMatchObject({ status: 400, body: { kind: [expect.stringContaining('bank')] } });
  });

  test('GET /v2/items/{id} adds features; employer-search answers Item summaries', async () => {
    const item = await harness.api<{ features: { data_retrieval: { refresh_frequency: string } } }>(
      'GET',
      '/v2/items/item_000029932',
    );
    expect(item.body.features.data_retrieval.refresh_frequency).toBe('5h');
    expect((await harness.api('GET', '/v2/items/item_999999999')).status).toBe(404);
    const employers = await harness.api<Page<Record<string, unknown>>>('GET', '/v2/employer-search?q=tar');
    expect(employers.body.results).toEqual([
      expect.objectContaining({ id: 'item_000002102', name: 'Target', status: 'issues' }),
    ]);
  });
});

describe('users and reports', () => {
  test('PATCH /v2/users/{id} updates external_id and external_metadata; bad fields change nothing', async () => {
    const seeded = await seed();
    const patched = await harness.api<{ external_id: string; external_metadata: unknown }>(
      'PATCH',
      `/v2/users/${seeded.user_id}`,
      { external_id: 'app-42', external_metadata: { plan: 'pro' } },
    );
    expect(patched.body).toMatchObject({ external_id: 'app-42', external_metadata: { plan: 'pro' } });
    const bad = await harness.api('PATCH', `/v2/users/${seeded.user_id}`, {
      external_id: 'x',
      email: 'nope',
    });
    expect(bad).toMatchObject({ status: 400, body: { email: ['Enter a valid email address.'] } });
    const user = await harness.api<{ external_id: string }>('GET', `/v2/users/${seeded.user_id}`);
    expect(user.body.external_id).toBe('app-42');
  });

  test('reports: generated for a synced user, waiting otherwise; listed, fetched, deleted; 10 a day', async () => {
    const seeded = await seed('test_2');
    const report = await harness.api<{
      id: string;
      status: string;
      accounts: { id: string }[];
      file_url: string;
    }>('POST', '/v2/reports/voie', { user: seeded.user_id });
    expect(report.body).toMatchObject({ status: 'generated', accounts: [{ id: seeded.account_id }] });
    const pdf = await fetch(report.body.file_url, { headers: { authorization: BASIC_AUTH } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const fresh = await harness.api<{ id: string }>('POST', '/v2/users', {});
    const waiting = await harness.api<{ status: string }>('POST', '/v2/reports/voe', { user: fresh.body.id });
    expect(waiting.body.status).toBe('waiting_for_sync');
    expect((await harness.api('POST', '/v2/reports/unknown', { user: seeded.user_id })).status).toBe(404);
    const listed = await harness.api<Page<{ id: string }>>('GET', `/v2/reports?user=${seeded.user_id}`);
    expect(listed.body.results.map((row) => row.id)).toEqual([report.body.id]);
    expect((await harness.api('DELETE', `/v2/reports/${report.body.id}`)).status).toBe(204);
    expect((await harness.api('GET', `/v2/reports/${report.body.id}`)).status).toBe(404);
    for (let count = 0; count < 10; count++)
      await harness.api('POST', '/v2/reports/voe', { user: seeded.user_id });
    const limited = await harness.api('POST', '/v2/reports/voe', { user: seeded.user_id });
    expect(limited.status).toBe(429);
    // Deleting the user deletes its reports with its accounts and data.
    await harness.api('DELETE', `/v2/users/${seeded.user_id}`);
    const left = await harness.api<Page<unknown>>('GET', `/v2/reports?user=${seeded.user_id}`);
    expect(left.body.results).toEqual([]);
  });
});
