import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  BASIC_AUTH,
  connectThroughLink,
  createUser,
  startHarness,
} from '../argyle.test-helpers.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Verification {
  id: string;
  status: { state: string; code: string };
  report: { id: string | null; type: string; file_url: string | null };
  loan: unknown;
}

describe('payroll verifications', () => {
  test('ordered → session link → the user connects in Link → COMPLETED with a report', async () => {
    const user = await createUser(harness);
    const ordered = await harness.api<Verification>('POST', '/v2/verifications', {
      user: user.id,
      report: { type: 'voie' },
      loan: { number: '1234' },
    });
    expect(ordered.body).toMatchObject({
      status: { state: 'PENDING', code: 'pending' },
      report: { id: null, type: 'voie', file_url: null },
      loan: { number: '1234' },
    });
    const session = await harness.api<{ link: string }>('POST', '/v2/sessions', {
      verification: ordered.body.id,
      configuration: { items: ['item_000029932'], redirect_url: 'https://app.example/return' },
    });
    const link = new URL(session.body.link);
    expect(link.origin + link.pathname).toBe(`${harness.mock.url}/link`);
    expect(link.searchParams.get('items')).toBe('item_000029932');
    const started = await harness.api<Verification>('GET', `/v2/verifications/${ordered.body.id}`);
    expect(started.body.status).toEqual({ state: 'PENDING', code: 'user_session_started', errors: [] });
    const opened = await harness.link(`${link.pathname}${link.search}`);
    expect(opened.status).toBe(200);
    await connectThroughLink(harness, link.searchParams.get('user_token')!, { username: 'test_2' });
    const done = await harness.api<Verification>('GET', `/v2/verifications/${ordered.body.id}`);
    expect(done.body.status).toMatchObject({ state: 'COMPLETED', code: 'completed' });
    const pdf = await fetch(done.body.report.file_url!, { headers: { authorization: BASIC_AUTH } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const listed = await harness.api<{ results: { id: string }[] }>(
      'GET',
      `/v2/verifications?user=${user.id}&status_state=COMPLETED`,
    );
    expect(listed.body.results.map((row) => row.id)).toEqual([ordered.body.id]);
  });

  test('an update re-enters PROCESSING until the report is regenerated; refresh needs a connection', async () => {
    const seeded = await harness.scenario<{ user_id: string }>('argyle.seed_connected');
    const refreshed = await harness.api<Verification>('POST', '/v2/verifications/refresh', {
      user: seeded.user_id,
      report: { type: 'voe' },
    });
    expect(refreshed.body.status.state).toBe('COMPLETED');
    const patched = await harness.api<Verification>('PATCH', `/v2/verifications/${refreshed.body.id}`, {
      billing: { cost_center: '7' },
    });
    expect(patched.body.status).toMatchObject({ state: 'PROCESSING', code: 'authenticated' });
    const again = await harness.api<Verification>('GET', `/v2/verifications/${refreshed.body.id}`);
    expect(again.body.status.state).toBe('COMPLETED');
    expect(again.body.report.id).not.toBe(refreshed.body.report.id);
    const lonely = await createUser(harness);
    const refused = await harness.api('POST', '/v2/verifications/refresh', {
      user: lonely.id,
      report: { type: 'voie' },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { user: ['A refresh needs a connected payroll account.'] },
    });
  });

  test('banking and document verifications are refused with a message naming the limit; nothing is created', async () => {
    const user = await createUser(harness);
    const banking = await harness.api('POST', '/v2/verifications', {
      user: user.id,
      report: { type: 'voa' },
    });
    expect(banking).toMatchObject({
      status: 400,
      body: { report: ['The mock serves payroll verifications (voie, voe) only, not "voa".'] },
    });
    const missing = await harness.api('POST', '/v2/verifications', { user: user.id });
    expect(missing).toMatchObject({ status: 400, body: { report: ['This field is required.'] } });
    const list = await harness.api<{ results: unknown[] }>('GET', '/v2/verifications');
    expect(list.body.results).toEqual([]);
  });
});
