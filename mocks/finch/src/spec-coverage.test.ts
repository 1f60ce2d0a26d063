/**
 * Route coverage: every operation of Finch's OpenAPI spec is a route of the mock, and answers over HTTP (no 404
 * "no route", no 405) whatever the ids in its path.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { finchMock } from './definition.js';
import { credentials, startTestMock, type TestMock } from './finch.test-helpers.js';
import type { SpecRouteDefinition } from './http/spec-route.js';
import { specOperations } from './spec.test-helpers.js';

const ALL_PRODUCTS = [
  'company',
  'directory',
  'individual',
  'employment',
  'payment',
  'pay_statement',
  'benefits',
  'documents',
  'plans',
  'plans_enrollments',
  'plans_dependents',
];

describe('the route table', () => {
  test('has one route per spec operation, with the spec method and path', () => {
    const routes = finchMock.routes.filter((r): r is SpecRouteDefinition => 'operationId' in r);
    const table = routes.map((r) => `${r.operationId} ${r.method} ${r.path}`).sort();
    const spec = specOperations
      .map((op) => `${op.operationId} ${op.method} ${op.path.replace(/\{([^}]+)\}/g, ':$1')}`)
      .sort();
    expect(table).toEqual(spec);
    expect(spec).toHaveLength(55);
  });

  test('routes outside the spec are only the Connect pages', () => {
    const others = finchMock.routes.filter((r) => !('operationId' in r)).map((r) => r.path);
    expect(others.every((path) => path.startsWith('/authorize') || path.startsWith('/connect/'))).toBe(true);
  });
});

describe('over HTTP', () => {
  let mock: TestMock;
  let token: string;
  beforeAll(async () => {
    mock = await startTestMock();
    const sandbox = await mock.app.sandbox.connections.create({
      provider_id: 'gusto',
      products: ALL_PRODUCTS,
    });
    token = sandbox.access_token;
  });
  afterAll(() => mock.close());

  test.each(specOperations.map((op) => [op.operationId, op] as const))('%s answers', async (_id, op) => {
    const path = op.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
    const basic = Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64');
    const response = await fetch(`${mock.url}${path}`, {
      method: op.method,
      headers: {
        'finch-api-version': '2020-09-17',
        'content-type': 'application/json',
        authorization: op.security.includes('basicAuth') ? `Basic ${basic}` : `Bearer ${token}`,
      },
      ...(op.method === 'GET' ? {} : { body: '{}' }),
    });
    const text = await response.text();
    expect(response.status, text).not.toBe(405);
    expect(text).not.toMatch(/mock has no route/);
  });
});
