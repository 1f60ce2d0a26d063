import { isReconnectKitError } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { fixture } from './finch.test-helpers.js';
import { type FinchIntrospectionFacts, finchCompanyId, signalForIntrospection } from './introspection.js';

const connected = fixture<FinchIntrospectionFacts>('payloads/finch/introspect.connected.json');

const EAST = { id: '550e8400-e29b-41d4-a716-446655440000', name: 'Acme East', source_id: null };
const WEST = { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', name: null, source_id: null };
const NORTH = { id: '16fd2706-8baf-433b-82eb-8c7fada847da', name: 'Acme North', source_id: null };

const withEntities = (
  entities: { id: string; name: string | null; status: string }[],
  status = 'connected',
): FinchIntrospectionFacts => ({
  ...connected,
  connection_status: { status, message: 'as Finch says' },
  entities,
});

describe('signalForIntrospection: entities', () => {
  it('the fixture of a multi-entity connection with one entity in reauth is degraded, naming that entity', () => {
    const signal = signalForIntrospection(
      fixture<FinchIntrospectionFacts>('payloads/finch/introspect.multi-entity-one-reauth.json'),
    );
    expect(signal).toMatchObject({
      state: 'degraded',
      problem: { reason: expect.stringContaining('Acme West LLC') },
    });
  });

  it('every entity connected: the connection status applies', () => {
    const signal = signalForIntrospection(
      withEntities([
        { ...EAST, status: 'connected' },
        { ...WEST, status: 'connected' },
      ]),
    );
    expect(signal).toEqual({
      state: 'connected',
      vendor: { status: 'connected', code: null, message: 'as Finch says' },
    });
  });

  it('every entity in reauth → needs_reauth, even while the connection-level status still says connected', () => {
    const signal = signalForIntrospection(
      withEntities([
        { ...EAST, status: 'reauth' },
        { ...WEST, status: 'reauth' },
      ]),
    );
    expect(signal).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', message: expect.stringContaining('Acme East') },
      problem: { state: 'needs_reauth', fix: 'reenter_credentials' },
    });
  });

  it('some entities in reauth → degraded, naming them (name, else id), fixed by re-authenticating', () => {
    const signal = signalForIntrospection(
      withEntities([
        { ...EAST, status: 'reauth' },
        { ...WEST, status: 'reauth' },
        { ...NORTH, status: 'connected' },
      ]),
    );
    expect(signal.state).toBe('degraded');
    expect(signal.problem).toMatchObject({ state: 'degraded', fix: 'reenter_credentials' });
    expect(signal.problem?.reason).toContain('Acme East, 7c9e6679-7425-40de-944b-e07fc1f90ae7');
    expect(signal.problem?.reason).not.toContain('Acme North');
    expect(signal.vendor.message).toContain(`${EAST.id} (reauth)`);
    expect(signal.vendor.status).toBe('connected');
  });

  it('disconnected entities were removed on purpose: they neither count as broken nor as remaining', () => {
    expect(
      signalForIntrospection(
        withEntities([
          { ...EAST, status: 'reauth' },
          { ...WEST, status: 'disconnected' },
        ]),
      ).state,
    ).toBe('needs_reauth');
    expect(
      signalForIntrospection(
        withEntities([
          { ...EAST, status: 'connected' },
          { ...WEST, status: 'disconnected' },
        ]),
      ).state,
    ).toBe('connected');
  });

  it('when every entity is broken and one needs a fix in the payroll system first, that wins', () => {
    const signal = signalForIntrospection(
      withEntities([
        { ...EAST, status: 'reauth' },
        { ...WEST, status: 'error_permissions' },
      ]),
    );
    expect(signal).toMatchObject({
      state: 'needs_credentials',
      vendor: { status: 'error_permissions' },
      problem: { fix: 'user_action_elsewhere' },
    });
  });

  it('a problem at the connection level wins over the entities', () => {
    const signal = signalForIntrospection(withEntities([{ ...EAST, status: 'connected' }], 'reauth'));
    expect(signal).toMatchObject({
      state: 'needs_reauth',
      vendor: { status: 'reauth', message: 'as Finch says' },
    });
  });

  it('an undocumented connection status is an upstream_error, not a guess', () => {
    let thrown: unknown;
    try {
      signalForIntrospection(withEntities([], 'reauthenticating'));
    } catch (error) {
      thrown = error;
    }
    expect(isReconnectKitError(thrown, 'upstream_error')).toBe(true);
  });
});

describe('finchCompanyId', () => {
  it.each([
    ['an id', '720be419-0293-4d32-a707-32179b0827ab', '720be419-0293-4d32-a707-32179b0827ab'],
    ['null', null, undefined],
    ['absent', undefined, undefined],
    ['empty', '', undefined],
  ])('%s → %s', (_what, value, expected) => {
    expect(finchCompanyId(value)).toBe(expected);
  });
});
