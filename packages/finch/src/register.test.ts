import {
  CLOCK,
  HTTP_FETCH,
  type HttpFetch,
  ManualClock,
  RECONNECTION_PROVIDER,
  type ReconnectionProvider,
} from '@reconnect-kit/core';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN, BASE_URL, connection, fixture, testConfig } from './finch.test-helpers.js';
import { FinchProvider } from './finch-provider.js';
import { registerFinch } from './register.js';

describe('registerFinch', () => {
  it('registers one Finch provider that calls through the injected HTTP_FETCH and CLOCK', async () => {
    const child = container.createChildContainer();
    const calls: string[] = [];
    const recordingFetch: HttpFetch = async (input, init) => {
      const request = new Request(input, init);
      calls.push(`${request.method} ${request.url} ${request.headers.get('authorization')}`);
      return Response.json(fixture('payloads/finch/introspect.connected.json'));
    };
    child.register(HTTP_FETCH, { useValue: recordingFetch });
    child.register(CLOCK, { useValue: new ManualClock('2030-01-01T00:00:00.000Z') });
    registerFinch(child, testConfig());

    const providers = child.resolveAll<ReconnectionProvider>(RECONNECTION_PROVIDER);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toBeInstanceOf(FinchProvider);
    expect(providers[0]).toBe(child.resolve(FinchProvider));
    const status = await providers[0]?.fetchStatus(connection());
    expect(status).toMatchObject({ state: 'connected', checkedAt: new Date('2030-01-01T00:00:00.000Z') });
    expect(calls).toEqual([`GET ${BASE_URL}/introspect Bearer ${ACCESS_TOKEN}`]);
  });

  it('defaults HTTP_FETCH and CLOCK when the container has none', () => {
    const child = container.createChildContainer();
    registerFinch(child, testConfig());
    expect(child.resolve(FinchProvider).id).toBe('finch');
    expect(child.isRegistered(HTTP_FETCH)).toBe(true);
    expect(child.isRegistered(CLOCK)).toBe(true);
  });

  it('validates before registering anything', () => {
    const child = container.createChildContainer();
    expect(() => registerFinch(child, { ...testConfig(), clientId: '' })).toThrow(/finch\.clientId/);
    expect(child.isRegistered(RECONNECTION_PROVIDER)).toBe(false);
  });
});
