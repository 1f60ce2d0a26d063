import type { Connection, ConnectionState } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { renderConnections, renderDashboard, renderDisconnectConfirmation } from './page.js';

const connection = (state: ConnectionState, overrides: Partial<Connection> = {}): Connection => ({
  id: `conn_${state}`,
  provider: 'argyle',
  hostUserId: 'alice',
  upstreamId: 'acc_1',
  upstreamParentId: 'user_1',
  metadata: { employer: 'Walmart' },
  state,
  vendor: { status: 'error', code: 'auth_required' },
  createdAt: '2026-11-23T12:00:00.000Z',
  updatedAt: '2026-11-23T12:00:00.000Z',
  stateChangedAt: '2026-11-23T12:00:00.000Z',
  version: 1,
  ...overrides,
});

const render = (c: Connection) =>
  renderConnections([
    {
      hostUserId: c.hostUserId,
      displayName: 'Alice',
      connections: [{ connection: c, history: [], scenarios: [] }],
    },
  ]);

const buttons = (html: string) => [...html.matchAll(/<button[^>]*>([^<]+)<\/button>/g)].map((m) => m[1]);

describe('dashboard markup', () => {
  it('offers the action that fits the state', () => {
    expect(buttons(render(connection('needs_reauth')))).toEqual(['Reconnect', 'Check status', 'Disconnect']);
    expect(buttons(render(connection('needs_credentials')))).toEqual([
      'Reconnect',
      'Check status',
      'Disconnect',
    ]);
    expect(buttons(render(connection('connected')))).toEqual(['Check status', 'Disconnect']);
    expect(buttons(render(connection('revoked')))).toEqual(['Connect again']);
    expect(buttons(render(connection('disconnected')))).toEqual(['Connect again']);
  });

  it('shows the canonical state as text and the raw vendor status and code', () => {
    const html = render(connection('needs_reauth'));
    expect(html).toContain('data-state="needs_reauth">Needs sign-in</span>');
    expect(html).toContain('<code data-testid="vendor-code">error · auth_required</code>');
  });

  it('drops the last vendor status once the host disconnected the connection (it describes what is gone)', () => {
    const html = render(connection('disconnected', { vendor: { status: 'connected' } }));
    expect(html).toContain('data-state="disconnected">Disconnected</span>');
    expect(html).not.toContain('vendor-code');
    expect(render(connection('revoked', { vendor: { status: 'revoked' } }))).toContain(
      '<code data-testid="vendor-code">revoked</code>',
    );
  });

  it('shows an early warning with its deadline and reason on the card, and nothing without one', () => {
    const html = render(
      connection('reconnecting', {
        provider: 'finch',
        warning: {
          code: 'connect_link_expiring',
          deadline: '2026-12-14T09:30:00.000Z',
          reason: 'Your Finch Connect link works until 2026-12-14 (UTC). <Reconnect> before then.',
          raisedAt: '2026-12-07T09:30:00.000Z',
        },
      }),
    );
    expect(html).toContain(
      '<strong>Reconnect link expires on <time datetime="2026-12-14T09:30:00.000Z">2026-12-14 09:30:00 UTC</time>.</strong> Your Finch Connect link works until 2026-12-14 (UTC). &lt;Reconnect&gt; before then.',
    );
    const other = render(
      connection('connected', {
        warning: {
          code: 'mandate_expiring',
          deadline: '2027-01-01T00:00:00.000Z',
          reason: 'Consent ends.',
          raisedAt: '2026-12-01T00:00:00.000Z',
        },
      }),
    );
    expect(other).toContain('data-code="mandate_expiring"><p><strong>Needs attention by <time');
    expect(render(connection('connected'))).not.toContain('data-testid="warning"');
  });

  it('asks before disconnecting: the card opens a confirmation page, whose form posts the disconnect', () => {
    const card = render(connection('connected'));
    expect(card).toContain('<form method="get" action="/connections/conn_connected/disconnect">');
    expect(card).not.toContain('<form method="post" action="/connections/conn_connected/disconnect">');
    const confirmation = renderDisconnectConfirmation(connection('connected'), 'Alice');
    expect(confirmation).toContain('<h1>Disconnect Alice&#39;s Argyle · Walmart connection?</h1>');
    expect(confirmation).toContain('<form method="post" action="/connections/conn_connected/disconnect"');
    expect(buttons(confirmation)).toEqual(['Disconnect']);
    expect(confirmation).toContain('<a href="/">Cancel, keep it connected</a>');
  });

  it('escapes everything that comes from vendors or users', () => {
    const html = render(
      connection('connected', {
        metadata: { employer: '<img src=x onerror=alert(1)>' },
        upstreamId: '"><script>',
      }),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('has the page landmarks and announces flashes to assistive technology', () => {
    const html = renderDashboard({
      groups: [],
      recent: [],
      flash: { kind: 'warning', message: 'Mismatch <b>' },
    });
    for (const landmark of ['<header>', '<main id="main"', '<footer>', '<aside'])
      expect(html).toContain(landmark);
    expect(html).toContain('role="alert" data-testid="flash">Mismatch &lt;b&gt;</div>');
    expect(html).toContain('aria-live="polite"');
    expect(html).toContain('<html lang="en">');
  });
});
