/**
 * Route coverage: every operation of Finch's OpenAPI spec is a route of the mock, and answers over HTTP (no 404
 * "no route", no 405) whatever the ids in its path.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toJsonSchema } from '../../../scripts/openapi-schema.mjs';
import { finchMock } from './definition.js';
import { ALL_PRODUCTS, credentials, startTestMock, type TestMock } from './finch.test-helpers.js';
import type { SpecRouteDefinition } from './http/spec-route.js';
import { finchSpec, SpecLog, specOperations } from './spec.test-helpers.js';

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

describe('fixture schemas compiled from the spec', () => {
  const dir = new URL('../../../fixtures/schemas/finch/', import.meta.url);
  const compiled = readdirSync(dir)
    .map((file) => [file, JSON.parse(readFileSync(new URL(file, dir), 'utf8'))] as const)
    .filter(([, schema]) => /operation ([\w-]+)\)\.$/.test(schema.description ?? ''));

  test.each(compiled)('%s still matches the spec', (_file, schema) => {
    const operationId = /operation ([\w-]+)\)\.$/.exec(schema.description)![1];
    const op = specOperations.find((candidate) => candidate.operationId === operationId)!;
    const { title: _title, description: _description, ...own } = schema;
    expect(own).toEqual(toJsonSchema(finchSpec, op.responses['200']));
  });

  test('there are fifteen of them', () => expect(compiled).toHaveLength(15));
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

  test('operations newer than the SDK (plans, ledger items) answer with bodies the spec allows', async () => {
    const log = new SpecLog();
    const api = (path: string, body?: unknown) =>
      log.fetch(`${mock.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'finch-api-version': '2020-09-17',
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const plans = (await (await api('/employer/plans')).json()) as { plans: { id: string }[] };
    expect(plans.plans.length).toBeGreaterThan(0);
    expect((await api(`/employer/plans/${plans.plans[0]!.id}`)).status).toBe(200);
    const enrollments = (await (await api('/employer/plans-enrollments?limit=2')).json()) as {
      enrollments: { id: string; individual_id: string }[];
    };
    expect(enrollments.enrollments).toHaveLength(2);
    await api('/employer/plans-enrollments', {
      requests: [{ enrollment_id: enrollments.enrollments[0]!.id }],
    });
    const dependents = (await (await api('/employer/plans-dependents')).json()) as {
      dependents: { dependent_id: string; coverage: { individual_id: string }[] }[];
    };
    await api('/employer/plans-dependents', { requests: [{ dependent_id: 'unknown' }] });
    const payments = (await (
      await api('/employer/payment?start_date=2000-01-01&end_date=2999-01-01')
    ).json()) as {
      id: string;
    }[];
    const ledger = (await (
      await api('/employer/ledger-items', { requests: [{ payment_id: payments[0]!.id }] })
    ).json()) as {
      responses: { body: { totals: { balanced: boolean } } }[];
    };
    expect(ledger.responses[0]!.body.totals.balanced).toBe(true);
    expect(log.violations).toEqual([]);
    expect([...log.succeeded()].sort()).toEqual(
      [
        'get-ledger-items',
        'get-payment',
        'get-plan',
        'get-plan-dependents',
        'get-plan-enrollments',
        'list-plan-dependents',
        'list-plan-enrollments',
        'list-plans',
      ].sort(),
    );
    // Dependents are covered through real employees' medical enrollments.
    const enrollees = new Set(enrollments.enrollments.map((e) => e.individual_id));
    expect(dependents.dependents.every((d) => d.coverage.length > 0)).toBe(true);
    expect(enrollees.size).toBe(2);
  });

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
