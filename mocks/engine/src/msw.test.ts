import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMockInstance } from './instance.js';
import { createMswHandlers } from './msw.js';
import { testProvider } from './testing/test-provider.js';

const instance = createMockInstance(testProvider, { catalogue: null, env: {} });
const server = setupServer(...createMswHandlers(instance, 'https://api.testprov.test/base/'));

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

test('one catch-all handler per base URL', () => {
  expect(createMswHandlers(instance, 'https://api.testprov.test')).toHaveLength(1);
});

test('a base URL with a path: routes see the path below it, baseUrl includes it', async () => {
  const response = await fetch('https://api.testprov.test/base/v1/whoami?x=1');
  expect(await response.json()).toMatchObject({
    base_url: 'https://api.testprov.test/base',
    url: 'https://api.testprov.test/base/v1/whoami?x=1',
  });
  expect(instance.journal.list()).toEqual([
    expect.objectContaining({ path: '/v1/whoami', query: { x: '1' } }),
  ]);
});

test('requests outside the base URL are not handled by the mock', async () => {
  const journaled = instance.journal.list().length;
  await expect(fetch('https://api.testprov.test/other/v1/whoami')).rejects.toThrow();
  expect(instance.journal.list()).toHaveLength(journaled);
});
