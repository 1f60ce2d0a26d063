/**
 * The dashboard, rendered on the server as plain HTML: landmarks, headings per end user, real `<button>`s in
 * forms (everything works without JavaScript), text on every badge (colour is never the only signal) and a
 * polite live region for updates. A small script (`clientScript`) refreshes the list live.
 */
import type { Connection, ConnectionEvent, ConnectionState } from '@reconnect-kit/core';
import type { AccountMismatch } from './activity.js';
import type { DemoScenario } from './demo.js';

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export const STATE_LABELS: Readonly<Record<ConnectionState, string>> = {
  pending: 'Connecting',
  connected: 'Connected',
  needs_reauth: 'Needs sign-in',
  needs_credentials: 'Needs new credentials',
  reconnecting: 'Reconnecting',
  degraded: 'Degraded',
  revoked: 'Revoked',
  disconnected: 'Disconnected',
};

const PROVIDER_NAMES: Readonly<Record<string, string>> = { argyle: 'Argyle', finch: 'Finch', plaid: 'Plaid' };
export const providerName = (id: string) => PROVIDER_NAMES[id] ?? id;

const EVENT_LABELS: Readonly<Record<string, string>> = {
  'connection.broken': 'Broken',
  'connection.reconnect_started': 'Reconnect started',
  'connection.recovered': 'Recovered',
  'connection.degraded': 'Degraded',
  'connection.revoked': 'Revoked',
  'connection.disconnected': 'Disconnected',
  'connection.state_changed': 'State changed',
  'connection.account_mismatch': 'Account mismatch',
  'connection.notification': 'User notified',
  'connection.reconnect_abandoned': 'Reconnect abandoned',
  'connection.reconnect_failed': 'Reconnect not confirmed',
  'connection.expiring': 'Early warning',
};

/** How a card introduces an early warning's deadline, by the warning's code (see `EarlyWarning.code`). */
const WARNING_LEADS: Readonly<Record<string, string>> = {
  connect_link_expiring: 'Reconnect link expires on',
  consent_expiring: 'Access expires on',
  disconnect_pending: 'Disconnects on',
};
export const warningLead = (code: string) => WARNING_LEADS[code] ?? 'Needs attention by';

/** Where a connection can go from its state: reconnect it, or (terminal) connect a new one. */
const RECONNECTABLE: ReadonlySet<ConnectionState> = new Set([
  'needs_reauth',
  'needs_credentials',
  'reconnecting',
]);
const TERMINAL: ReadonlySet<ConnectionState> = new Set(['revoked', 'disconnected']);

export interface ConnectionView {
  readonly connection: Connection;
  readonly history: readonly ConnectionEvent[];
  readonly mismatch?: AccountMismatch | undefined;
  /** Demo-only scenario buttons (empty outside the demo). */
  readonly scenarios: readonly DemoScenario[];
}

export interface UserGroup {
  readonly hostUserId: string;
  readonly displayName: string;
  readonly connections: readonly ConnectionView[];
}

export interface Flash {
  readonly kind: 'success' | 'warning' | 'error' | 'info';
  readonly message: string;
}

export interface DashboardInput {
  readonly groups: readonly UserGroup[];
  readonly recent: readonly { readonly event: ConnectionEvent; readonly label: string }[];
  readonly flash?: Flash | undefined;
  /** Demo only: the mock servers' URLs, shown in the footer. */
  readonly mocks?: Readonly<Record<string, string>> | undefined;
}

export function connectionTitle(connection: Connection): string {
  const employer = connection.metadata.employer;
  return employer ? `${providerName(connection.provider)} · ${employer}` : providerName(connection.provider);
}

const time = (iso: string) =>
  `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').slice(0, 19))} UTC</time>`;

function vendorText(connection: Connection): string {
  const vendor = connection.vendor;
  if (!vendor) return '';
  return vendor.code ? `${vendor.status} · ${vendor.code}` : vendor.status;
}

function badge(connection: Connection): string {
  // After the host's own Disconnect, the last status the vendor reported describes a connection that is gone.
  const vendor = connection.state === 'disconnected' ? '' : vendorText(connection);
  const raw = vendor
    ? ` <span class="vendor-code">vendor status <code data-testid="vendor-code">${escapeHtml(vendor)}</code></span>`
    : '';
  return `<p class="status"><span class="badge badge-${connection.state}" data-testid="state" data-state="${connection.state}">${STATE_LABELS[connection.state]}</span>${raw}</p>`;
}

/** A one-button form (POST unless said); `key` lets the live refresh put focus back on the same button. */
function actionButton(
  action: string,
  label: string,
  key: string,
  className: string,
  describedBy: string,
  method: 'get' | 'post' = 'post',
) {
  return `<form method="${method}" action="${escapeHtml(action)}"><button type="submit" class="${className}" data-focus-key="${escapeHtml(key)}" aria-describedby="${describedBy}">${escapeHtml(label)}</button></form>`;
}

function actions(view: ConnectionView, titleId: string): string {
  const { connection } = view;
  const id = encodeURIComponent(connection.id);
  const buttons: string[] = [];
  if (TERMINAL.has(connection.state)) {
    buttons.push(
      actionButton(
        `/connections/${id}/connect-again`,
        'Connect again',
        `${connection.id}:connect-again`,
        'primary',
        titleId,
      ),
    );
  } else {
    // An early warning: the connection still works, and reconnecting before the deadline keeps it working.
    if (RECONNECTABLE.has(connection.state) || connection.warning) {
      buttons.push(
        actionButton(
          `/reconnect/${id}/start?redirect=1`,
          'Reconnect',
          `${connection.id}:reconnect`,
          'primary',
          titleId,
        ),
      );
    }
    buttons.push(
      actionButton(
        `/connections/${id}/check`,
        'Check status',
        `${connection.id}:check`,
        'secondary',
        titleId,
      ),
      // Opens the confirmation page; only its own button disconnects.
      actionButton(
        `/connections/${id}/disconnect`,
        'Disconnect',
        `${connection.id}:disconnect`,
        'danger',
        titleId,
        'get',
      ),
    );
  }
  return `<div class="actions">${buttons.join('')}</div>`;
}

function mismatchNotice(view: ConnectionView): string {
  const mismatch = view.mismatch;
  if (!mismatch) return '';
  const expected =
    mismatch.expected.upstreamParentId ?? mismatch.expected.upstreamId ?? 'the original account';
  const actual = mismatch.actual.upstreamParentId ?? mismatch.actual.upstreamId ?? 'another account';
  return `<div class="mismatch" data-testid="mismatch"><p><strong>Account mismatch.</strong> The last reconnect (${time(mismatch.at)}) signed in to a different company (<code>${escapeHtml(actual)}</code>) instead of <code>${escapeHtml(expected)}</code>. This connection was not switched; sign in with the original company's login.</p></div>`;
}

function historyList(view: ConnectionView): string {
  const { connection, history } = view;
  const items = history
    .map((event) => {
      const move = event.to ? ` ${event.from ? `${event.from} ` : ''}→ ${event.to}` : '';
      const code = event.vendor?.code ? ` <code>${escapeHtml(event.vendor.code)}</code>` : '';
      return `<li>${time(event.occurredAt)} <strong>${escapeHtml(EVENT_LABELS[event.type] ?? event.type)}</strong>${escapeHtml(move)}${code} <span class="muted">(${escapeHtml(event.cause.kind)})</span></li>`;
    })
    .join('');
  const body = items === '' ? '<p>No events yet.</p>' : `<ol class="history">${items}</ol>`;
  return `<details data-key="${escapeHtml(connection.id)}:history"><summary>Event history (${history.length})</summary>${body}</details>`;
}

function demoPanel(view: ConnectionView, titleId: string): string {
  const { connection, scenarios } = view;
  if (scenarios.length === 0 || TERMINAL.has(connection.state)) return '';
  const id = encodeURIComponent(connection.id);
  const buttons = scenarios
    .map((scenario) =>
      actionButton(
        `/demo/connections/${id}/scenarios/${encodeURIComponent(scenario.id)}`,
        scenario.label,
        `${connection.id}:${scenario.id}`,
        'demo',
        titleId,
      ),
    )
    .join('');
  return `<details class="demo" data-key="${escapeHtml(connection.id)}:demo"><summary>Demo: make something happen at ${escapeHtml(providerName(connection.provider))}</summary><div class="actions">${buttons}</div></details>`;
}

/** An early warning: the connection still works, but something ends at the deadline unless someone acts. */
function warningNotice(connection: Connection): string {
  const warning = connection.warning;
  if (!warning) return '';
  return `<div class="warning" data-testid="warning" data-code="${escapeHtml(warning.code)}"><p><strong>${escapeHtml(warningLead(warning.code))} ${time(warning.deadline)}.</strong> ${escapeHtml(warning.reason)}</p></div>`;
}

function connectionCard(view: ConnectionView): string {
  const { connection } = view;
  const titleId = `title-${connection.id}`;
  const problem = connection.problem ? `<p class="reason">${escapeHtml(connection.problem.reason)}</p>` : '';
  const successor = connection.previousConnectionId
    ? '<p class="muted">Connected again after an earlier connection was revoked.</p>'
    : '';
  return `<li><article class="card" data-connection-id="${escapeHtml(connection.id)}" aria-labelledby="${titleId}">
<h3 id="${titleId}">${escapeHtml(connectionTitle(connection))}</h3>
${badge(connection)}${problem}${warningNotice(connection)}${mismatchNotice(view)}${successor}
<p class="muted">Upstream id <code>${escapeHtml(connection.upstreamId)}</code> · updated ${time(connection.updatedAt)}</p>
${actions(view, titleId)}
${historyList(view)}
${demoPanel(view, titleId)}
</article></li>`;
}

/** The live part of the page (also served alone at `GET /connections` for the refresh script). */
export function renderConnections(groups: readonly UserGroup[]): string {
  const sections = groups
    .map((group) => {
      const headingId = `user-${group.hostUserId}`;
      return `<section class="user" aria-labelledby="${escapeHtml(headingId)}">
<h2 id="${escapeHtml(headingId)}">${escapeHtml(group.displayName)}</h2>
<ul class="cards">${group.connections.map(connectionCard).join('')}</ul>
</section>`;
    })
    .join('');
  const body = sections === '' ? '<p>No connections yet.</p>' : sections;
  return `<div id="connections">${body}</div>`;
}

function recentList(recent: DashboardInput['recent']): string {
  if (recent.length === 0) return '<p>Nothing yet.</p>';
  return `<ol class="history">${recent
    .map(({ event, label }) => {
      const move = event.to ? ` → ${STATE_LABELS[event.to]}` : '';
      return `<li>${time(event.occurredAt)} ${escapeHtml(label)}: <strong>${escapeHtml(EVENT_LABELS[event.type] ?? event.type)}</strong>${escapeHtml(move)}</li>`;
    })
    .join('')}</ol>`;
}

export function renderRecent(recent: DashboardInput['recent']): string {
  return `<div id="recent">${recentList(recent)}</div>`;
}

export function renderDashboard(input: DashboardInput): string {
  const flash = input.flash
    ? `<div class="flash flash-${input.flash.kind}" id="flash" tabindex="-1" autofocus role="${input.flash.kind === 'error' || input.flash.kind === 'warning' ? 'alert' : 'status'}" data-testid="flash">${escapeHtml(input.flash.message)}</div>`
    : '';
  const mocks = input.mocks
    ? `<p>Demo mode: the vendors are local mocks (${Object.entries(input.mocks)
        .map(
          ([name, url]) =>
            `${escapeHtml(providerName(name))} <a href="${escapeHtml(url)}/__admin/scenarios">${escapeHtml(url)}</a>`,
        )
        .join(', ')}).</p>`
    : '';
  return layout(
    'Payroll connections',
    `<h1>Payroll connections</h1>
${flash}
<p id="live-status" class="visually-hidden" aria-live="polite"></p>
${renderConnections(input.groups)}
<aside aria-labelledby="recent-title"><h2 id="recent-title">Latest events</h2>${renderRecent(input.recent)}</aside>`,
    `${mocks}<p>Status updates arrive live (server-sent events; the page polls when they are unavailable).</p>`,
  );
}

/** The step between Disconnect and the revocation: says what it does; works without JavaScript. */
export function renderDisconnectConfirmation(connection: Connection, ownerName: string): string {
  const title = `${ownerName}'s ${connectionTitle(connection)} connection`;
  return layout(
    `Disconnect ${title}?`,
    `<h1>Disconnect ${escapeHtml(title)}?</h1>
<p>This revokes the app's access at ${escapeHtml(providerName(connection.provider))} and cannot be undone: the
connection cannot be reconnected afterwards, only replaced by a new one with <strong>Connect again</strong>.</p>
<form method="post" action="/connections/${escapeHtml(encodeURIComponent(connection.id))}/disconnect" class="actions">
<button type="submit" class="danger">Disconnect</button> <a href="/">Cancel, keep it connected</a>
</form>`,
  );
}

function layout(title: string, main: string, footer = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Reconnect Kit example</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="brand">Paycheck Pal <span class="muted">· example host app for Reconnect Kit</span></p></header>
<main id="main" tabindex="-1">
${main}
</main>
<footer>${footer}</footer>
</body>
</html>
`;
}

export const STYLESHEET = `*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1f;background:#f6f7f9;line-height:1.45}
header,footer{background:#fff;border-bottom:1px solid #d0d4da;padding:.75rem 1.5rem}
footer{border-top:1px solid #d0d4da;border-bottom:0;font-size:.9rem;color:#3d4350}
.brand{margin:0;font-weight:700}
main{max-width:64rem;margin:0 auto;padding:1rem 1.5rem 2rem}
h1{margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0 0 .35rem}
a{color:#0b4aa2}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem;z-index:1}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.cards{list-style:none;padding:0;margin:0;display:grid;gap:.75rem}
.card{background:#fff;border:1px solid #c9ced6;border-radius:8px;padding:1rem}
.status{margin:.25rem 0}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:999px;font-weight:700;font-size:.9rem;border:1px solid currentColor}
.badge-connected{background:#e6f4ea;color:#0b5323}
.badge-pending,.badge-reconnecting{background:#e8f0fe;color:#123d8a}
.badge-needs_reauth,.badge-needs_credentials{background:#fff1e0;color:#7a3300}
.badge-degraded{background:#fdf6d8;color:#5c4400}
.badge-revoked,.badge-disconnected{background:#eceef1;color:#33373d}
.vendor-code{margin-left:.5rem;color:#3d4350;font-size:.9rem}
code{font-family:ui-monospace,monospace;font-size:.9em;background:#f0f2f5;padding:0 .25rem;border-radius:3px}
.reason{margin:.25rem 0;font-weight:600}
.muted{color:#4a505c;font-size:.9rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0}
.actions form{margin:0}
button{font:inherit;padding:.45rem .9rem;border-radius:6px;border:2px solid #0b4aa2;cursor:pointer;background:#fff;color:#0b4aa2}
button.primary{background:#0b4aa2;color:#fff}
button.danger{border-color:#a4000f;color:#a4000f}
button.demo{border-color:#5b4b8a;color:#3f2f6e;font-size:.9rem;padding:.3rem .7rem}
button:hover{text-decoration:underline}
:focus-visible{outline:3px solid #1b1b1f;outline-offset:2px}
#flash:focus,main:focus{outline:none}
details{margin-top:.5rem}summary{cursor:pointer;color:#0b4aa2}
details.demo summary{color:#3f2f6e}
.history{margin:.4rem 0;padding-left:1.25rem;font-size:.92rem}
.flash{padding:.75rem 1rem;border-radius:6px;margin-bottom:1rem;border-left:6px solid}
.flash-success{background:#e6f4ea;border-color:#0b5323}
.flash-info{background:#e8f0fe;border-color:#123d8a}
.flash-warning{background:#fff1e0;border-color:#7a3300}
.flash-error{background:#fde7e9;border-color:#a4000f}
.mismatch{background:#fff1e0;border-left:6px solid #7a3300;padding:.5rem .75rem;margin:.5rem 0}
.mismatch p{margin:0}
.warning{background:#fdf6d8;border-left:6px solid #5c4400;padding:.5rem .75rem;margin:.5rem 0}
.warning p{margin:0}
aside{margin-top:2rem}
`;

/**
 * Live refresh: on each server-sent event (or every `pollIntervalMs`, 3 s by default, when EventSource is
 * unavailable or closed), re-fetch the connection list, swap it in, keep open <details> open and focus on the same
 * button, and announce the change.
 */
export const clientScript = (pollIntervalMs = 3_000): string => `(() => {
  const live = document.getElementById('live-status');
  let last = '';
  let running = false;
  let again = false;
  let announcement;
  const swap = async (path, id) => {
    const response = await fetch(path, { headers: { accept: 'text/html' } });
    if (!response.ok) return undefined;
    const template = document.createElement('template');
    template.innerHTML = await response.text();
    return { current: document.getElementById(id), next: template.content.firstElementChild, html: template.innerHTML };
  };
  async function apply() {
    const list = await swap('/connections', 'connections');
    if (!list || list.html === last) return;
    last = list.html;
    const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : undefined;
    const open = [...list.current.querySelectorAll('details[open]')].map((d) => d.dataset.key);
    for (const details of list.next.querySelectorAll('details')) if (open.includes(details.dataset.key)) details.open = true;
    list.current.replaceWith(list.next);
    if (focusKey) {
      const target = [...list.next.querySelectorAll('[data-focus-key]')].find((b) => b.dataset.focusKey === focusKey);
      if (target) target.focus();
    }
    const recent = await swap('/recent', 'recent');
    if (recent) recent.current.replaceWith(recent.next);
  }
  // One refresh at a time, so an older answer never overwrites a newer one; events during a refresh run it again.
  async function refresh(message) {
    if (message) announcement = message;
    if (running) { again = true; return; }
    running = true;
    try {
      do { again = false; await apply(); } while (again);
    } catch {
      // the server is restarting: the next event or poll tries again
    } finally {
      running = false;
    }
    if (announcement) { live.textContent = announcement; announcement = undefined; }
  }
  let polling;
  const poll = () => {
    document.documentElement.dataset.live = 'polling';
    if (!polling) polling = setInterval(() => refresh(), ${pollIntervalMs});
  };
  if ('EventSource' in window) {
    const source = new EventSource('/events');
    source.addEventListener('connection', (e) => refresh(JSON.parse(e.data).message));
    source.addEventListener('open', () => {
      if (polling) { clearInterval(polling); polling = undefined; }
      document.documentElement.dataset.live = 'sse';
      refresh();
    });
    source.addEventListener('error', () => { if (source.readyState === EventSource.CLOSED) poll(); });
  } else {
    poll();
  }
})();
`;
