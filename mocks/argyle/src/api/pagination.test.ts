import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ApiResult,
  type ArgyleHarness,
  connectThroughLink,
  createUser,
  elementText,
  startHarness,
} from '../argyle.test-helpers.js';
import { SANDBOX_ITEMS, SANDBOX_USERS } from '../domain/sandbox.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

interface Page<T> {
  next: string | null;
  previous: string | null;
  results: T[];
}

/** One user with `count` connected accounts (distinct sandbox logins and items, connected through Link). */
async function seedAccounts(count: number): Promise<{ user: string; accounts: string[] }> {
  const user = await createUser(harness);
  const accounts: string[] = [];
  for (let index = 0; index < count; index++) {
    const done = await connectThroughLink(harness, user.userToken, {
      username: SANDBOX_USERS[index % 3]!.username,
      item: SANDBOX_ITEMS[Math.floor(index / 3)]!.id,
    });
    accounts.push(elementText(done.html, 'account-id')!);
  }
  return { user: user.id, accounts };
}

/** Follows `next` verbatim until null, collecting ids. */
async function followAll(firstPath: string): Promise<{ ids: string[]; pages: Page<{ id: string }>[] }> {
  const pages: Page<{ id: string }>[] = [];
  let next: string | null = firstPath;
  while (next !== null) {
    const page: ApiResult<Page<{ id: string }>> = await harness.api('GET', next);
    const { status, body } = page;
    expect(status).toBe(200);
    pages.push(body);
    next = body.next;
  }
  return { ids: pages.flatMap((page) => page.results.map((result) => result.id)), pages };
}

describe('cursor pagination', () => {
  test('limit defaults to 10; next is an absolute URL carrying only an opaque base64 cursor', async () => {
    const { accounts } = await seedAccounts(9);
    const other = await seedAccounts(3);
    const { ids, pages } = await followAll('/v2/accounts');
    expect(ids).toEqual([...accounts, ...other.accounts]);
    expect(pages.map((page) => page.results.length)).toEqual([10, 2]);
    const next = new URL(pages[0]!.next!);
    expect(next.origin).toBe(harness.mock.url);
    expect(next.pathname).toBe('/v2/accounts');
    expect([...next.searchParams.keys()]).toEqual(['cursor']);
    expect(Buffer.from(next.searchParams.get('cursor')!, 'base64').toString()).toContain('limit=10');
    expect(pages[0]!.previous).toBeNull();
    expect(pages[1]!.next).toBeNull();
  });

  test('filters travel inside the cursor, and previous leads back to the earlier page', async () => {
    const mine = await seedAccounts(5);
    await seedAccounts(3);
    const { ids, pages } = await followAll(`/v2/accounts?user=${mine.user}&limit=2`);
    expect(ids).toEqual(mine.accounts);
    expect(pages.map((page) => page.results.length)).toEqual([2, 2, 1]);
    const back = await harness.api<Page<{ id: string }>>('GET', pages[2]!.previous!);
    expect(back.body.results.map((result) => result.id)).toEqual(mine.accounts.slice(2, 4));
    expect(back.body.next).toBe(pages[1]!.next);
    const byItem = await followAll('/v2/accounts?item=item_000002102&limit=1');
    expect(byItem.ids).toEqual(mine.accounts.slice(3, 5));
  });

  test('a record deleted between pages does not shift the next page', async () => {
    const { accounts } = await seedAccounts(4);
    const first = await harness.api<Page<{ id: string }>>('GET', '/v2/accounts?limit=2');
    await harness.api('DELETE', `/v2/accounts/${accounts[0]}`);
    const second = await harness.api<Page<{ id: string }>>('GET', first.body.next!);
    expect(second.body.results.map((result) => result.id)).toEqual(accounts.slice(2));
  });

  test('limit above 200, zero or non-numeric is a 400 naming limit; 200 is accepted', async () => {
    expect((await harness.api('GET', '/v2/accounts?limit=200')).status).toBe(200);
    expect((await harness.api('GET', '/v2/accounts?limit=201')).body).toEqual({
      limit: ['Ensure this value is less than or equal to 200.'],
    });
    expect((await harness.api('GET', '/v2/accounts?limit=0')).status).toBe(400);
    expect((await harness.api('GET', '/v2/accounts?limit=ten')).body).toEqual({
      limit: ['A valid integer is required.'],
    });
  });

  test('a forged or foreign cursor is a 404 "Invalid cursor"', async () => {
    const forged = Buffer.from('clientId=someone-else&inverseSort=false&limit=10&rowKey=1').toString(
      'base64',
    );
    for (const cursor of ['garbage', encodeURIComponent(forged)]) {
      const result = await harness.api('GET', `/v2/accounts?cursor=${cursor}`);
      expect(result.status).toBe(404);
      expect(result.body).toEqual({ detail: 'Invalid cursor' });
    }
  });

  test('bad filter values are 400s naming the filter', async () => {
    expect((await harness.api('GET', '/v2/accounts?user=nope')).body).toEqual({
      user: ['Enter a valid UUID.'],
    });
    expect((await harness.api('GET', '/v2/accounts?ongoing_refresh_status=on')).status).toBe(400);
    expect((await harness.api('GET', '/v2/accounts?item=walmart')).status).toBe(400);
  });
});
