import { describe, expect, test } from 'vitest';
import { compilePathPattern } from './path-pattern.js';
import { RouteTable } from './route-table.js';

describe('path patterns', () => {
  test('static, :param (decoded) and trailing * patterns', () => {
    expect(compilePathPattern('/v2/users/').match('/v2/users')).toEqual({});
    expect(compilePathPattern('/v2/accounts/:id').match('/v2/accounts/a%20b')).toEqual({ id: 'a b' });
    expect(compilePathPattern('/v2/accounts/:id').match('/v2/accounts/')).toBeNull();
    expect(compilePathPattern('/v2/accounts/:id').match('/v2/accounts/1/x')).toBeNull();
    expect(compilePathPattern('/files/*').match('/files/a/b')).toEqual({ '*': 'a/b' });
    expect(() => compilePathPattern('/a/*/b')).toThrow(/only allowed as the last segment/);
  });
});

describe('route table', () => {
  const table = new RouteTable([
    { method: 'GET', path: '/v2/accounts', handler: 'list' },
    { method: 'GET', path: '/v2/accounts/:id', handler: 'get' },
    { method: 'DELETE', path: '/v2/accounts/:id', handler: 'delete' },
    { method: 'POST', path: '/v2/accounts/:id/periodic-scan', handler: 'scan' },
  ]);

  test('finds handlers by method and path, with params', () => {
    expect(table.lookup('GET', '/v2/accounts')).toEqual({
      kind: 'found',
      handler: 'list',
      params: {},
      pattern: '/v2/accounts',
    });
    expect(table.lookup('DELETE', '/v2/accounts/7')).toEqual({
      kind: 'found',
      handler: 'delete',
      params: { id: '7' },
      pattern: '/v2/accounts/:id',
    });
    expect(table.lookup('POST', '/v2/accounts/7/periodic-scan')).toMatchObject({ handler: 'scan' });
  });

  test('tells a wrong method from an unknown path', () => {
    expect(table.lookup('PUT', '/v2/accounts/7')).toEqual({
      kind: 'method_not_allowed',
      allowed: ['GET', 'DELETE'],
    });
    expect(table.lookup('GET', '/v2/nothing')).toEqual({ kind: 'not_found' });
  });

  test('refuses duplicate routes', () => {
    expect(
      () =>
        new RouteTable([
          { method: 'GET', path: '/a', handler: 1 },
          { method: 'GET', path: '/a/', handler: 2 },
        ]),
    ).toThrow('duplicate route GET /a');
  });
});
