/**
 * The host app's HTTP surface: Reconnect Kit's webhook and reconnect routers (from `@reconnect-kit/express`),
 * the dashboard, its live feed, Disconnect / Check status / Connect again, and (demo only) the scenario buttons.
 */
import type { ServerResponse } from 'node:http';
import {
  type Connection,
  isReconnectKitError,
  type Logger,
  type ReconnectionService,
  ReconnectKitError,
  TERMINAL_STATES,
} from '@reconnect-kit/core';
import { createReconnectRouter, createWebhookRouter, refuseCrossSite } from '@reconnect-kit/express';
import express, { type Request, type Response } from 'express';
import type { ActivityFeed } from './activity.js';
import { type ConnectAgain, NewConnectionError } from './connect-again.js';
import { demoScenariosFor, findDemoScenario, type MockAdmin } from './demo.js';
import {
  type ConnectionView,
  clientScript,
  connectionTitle,
  type Flash,
  providerName,
  renderConnections,
  renderDashboard,
  renderDisconnectConfirmation,
  renderRecent,
  STATE_LABELS,
  STYLESHEET,
  type UserGroup,
  warningLead,
} from './page.js';

export interface HostRoutesOptions {
  readonly service: ReconnectionService;
  readonly feed: ActivityFeed;
  readonly connectAgain: ConnectAgain;
  /** This app's public origin, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** The host's user directory: a display name for a host user id. */
  readonly userName: (hostUserId: string) => string;
  readonly logger: Logger;
  /** Demo only: the mocks' admin APIs, by provider id. Without it, no scenario buttons. */
  readonly demo?: { readonly mocks: Readonly<Record<string, MockAdmin>> } | undefined;
  /** Open server-sent-event streams, so the server can end them on shutdown. */
  readonly streams: Set<ServerResponse>;
  /** How often the page re-fetches the list without server-sent events (default 3 s; tests shorten it). */
  readonly pollIntervalMs?: number | undefined;
}

const SECURITY_HEADERS = {
  // frame-ancestors: another site must not frame Disconnect / Connect again and trick a click (framed, the post
  // would be same-origin and pass the cross-site check); `default-src` does not cover it.
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Every connection, page by page, grouped by end user in order of their first connection. */
async function allConnections(service: ReconnectionService): Promise<Connection[]> {
  const all: Connection[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.listConnections({ limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export function createHostApp(options: HostRoutesOptions): express.Express {
  const { service, feed, userName, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });

  // Vendors' webhooks: POST /webhooks/argyle and /webhooks/finch, before any body parser (signatures need the bytes).
  app.use(createWebhookRouter(service, { logger }));

  // Reconnect: POST /reconnect/:id/start (303 to Link / Connect for a form post) and GET /reconnect/callback.
  app.use(
    createReconnectRouter(service, {
      // The demo dashboard is an operator view with no sign-in. A real app compares the connection's owner with
      // the signed-in user here: (req, connection) => connection.hostUserId === req.session.userId.
      authorize: () => true,
      callbackUrl: `${options.baseUrl}/reconnect/callback`,
      returnUrl: '/',
      logger,
    }),
  );

  // The dashboard's own form actions (Disconnect, Check status, Connect again, demo scenarios) change state too:
  // a page on another site must not be able to post them in the user's browser.
  app.use(refuseCrossSite({ logger }));

  const views = async (): Promise<UserGroup[]> => {
    const groups = new Map<string, ConnectionView[]>();
    for (const connection of await allConnections(service)) {
      const list = groups.get(connection.hostUserId) ?? [];
      list.push({
        connection,
        history: feed.history(connection.id),
        mismatch: feed.pendingMismatch(connection.id),
        scenarios: options.demo ? demoScenarios(connection) : [],
      });
      groups.set(connection.hostUserId, list);
    }
    return [...groups].map(([hostUserId, connections]) => ({
      hostUserId,
      displayName: userName(hostUserId),
      connections,
    }));
  };

  const recent = () =>
    feed.recent().map((event) => ({
      event,
      label: `${userName(event.hostUserId)} · ${providerName(event.provider)}`,
    }));

  app.get('/', async (req, res) => {
    const flash = await flashFor(req, service, userName);
    const mocks = options.demo
      ? Object.fromEntries(Object.entries(options.demo.mocks).map(([id, admin]) => [id, admin.url]))
      : undefined;
    res.type('html').send(renderDashboard({ groups: await views(), recent: recent(), flash, mocks }));
  });
  app.get('/connections', async (_req, res) => {
    res
      .set('cache-control', 'no-store')
      .type('html')
      .send(renderConnections(await views()));
  });
  app.get('/recent', (_req, res) => {
    res.set('cache-control', 'no-store').type('html').send(renderRecent(recent()));
  });
  app.get('/assets/app.css', (_req, res) => {
    res.type('css').send(STYLESHEET);
  });
  const script = clientScript(options.pollIntervalMs);
  app.get('/assets/app.js', (_req, res) => {
    res.type('js').send(script);
  });

  app.get('/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 3000\n\n');
    options.streams.add(res);
    const stop = feed.listen((event) => {
      // Checked first: a mismatch also names the state the connection went back to.
      const data = (event.data ?? {}) as { code?: unknown; deadline?: unknown };
      const message =
        event.type === 'connection.account_mismatch'
          ? `${userName(event.hostUserId)}'s ${providerName(event.provider)} reconnect reached another account.`
          : event.type === 'connection.expiring' && typeof data.code === 'string'
            ? `${userName(event.hostUserId)}'s ${providerName(event.provider)} connection: ${warningLead(data.code)} ${String(data.deadline).slice(0, 10)}.`
            : event.to
              ? `${userName(event.hostUserId)}'s ${providerName(event.provider)} connection: ${STATE_LABELS[event.to]}.`
              : undefined;
      const payload = JSON.stringify({ connectionId: event.connectionId, type: event.type, message });
      res.write(`event: connection\ndata: ${payload}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      stop();
      clearInterval(heartbeat);
      options.streams.delete(res);
    });
  });

  // Browsers ask for it on every page; nothing to show, so no 404 in the log.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/connections/:id/disconnect', async (req, res) => {
    const connection = await service.getConnection(param(req, 'id')).catch(() => undefined);
    if (!connection) {
      res.redirect(303, '/?error=connection_not_found');
      return;
    }
    res.type('html').send(renderDisconnectConfirmation(connection, userName(connection.hostUserId)));
  });
  app.post(
    '/connections/:id/disconnect',
    action(logger, async (req) => {
      const connection = await service.revoke(param(req, 'id'));
      return `/?notice=disconnected&connection=${encodeURIComponent(connection.id)}`;
    }),
  );
  app.post(
    '/connections/:id/check',
    action(logger, async (req) => {
      const connection = await service.checkStatus(param(req, 'id'));
      return `/?notice=checked&connection=${encodeURIComponent(connection.id)}`;
    }),
  );
  app.post(
    '/connections/:id/connect-again',
    action(logger, async (req) => options.connectAgain.start(await service.getConnection(param(req, 'id')))),
  );
  app.get(
    '/connect-again/:provider/return',
    action(logger, async (req) => {
      const { connection, reauthenticated } = await options.connectAgain.finish(
        param(req, 'provider'),
        queryOf(req),
      );
      const notice = reauthenticated ? 'connected_again_existing' : 'connected_again';
      return `/?notice=${notice}&connection=${encodeURIComponent(connection.id)}`;
    }),
  );

  const demo = options.demo;
  if (demo) {
    app.post(
      '/demo/connections/:id/scenarios/:scenario',
      action(logger, async (req) => {
        const connection = await service.getConnection(param(req, 'id'));
        const scenario = findDemoScenario(connection.provider, param(req, 'scenario'));
        const admin = demo.mocks[connection.provider];
        if (!scenario || !admin) {
          throw new ReconnectKitError('invalid_input', { message: 'Unknown scenario for this provider.' });
        }
        await admin.scenario(scenario.id, { target: connection.upstreamId });
        // Wait for the vendor's webhooks to reach us, so the page we return to already shows their effect.
        await admin.flushWebhooks();
        await service.deliverOutbox();
        return `/?notice=scenario&connection=${encodeURIComponent(connection.id)}&scenario=${encodeURIComponent(scenario.id)}`;
      }),
    );
  }

  return app;

  function demoScenarios(connection: Connection) {
    return demo && !TERMINAL_STATES.includes(connection.state) ? demoScenariosFor(connection.provider) : [];
  }
}

function param(req: Request, name: string): string {
  const value = (req.params as Record<string, string | undefined>)[name];
  if (!value) throw new ReconnectKitError('invalid_input', { message: `Missing "${name}".` });
  return value;
}

function queryOf(req: Request): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of new URL(req.originalUrl, 'http://host.invalid').searchParams)
    query[name] = value;
  return query;
}

/** A form action: runs, then 303s to the page it names; a failure 303s to the dashboard with `?error=<code>`. */
function action(logger: Logger, run: (req: Request) => Promise<string>) {
  return async (req: Request, res: Response) => {
    try {
      res.redirect(303, await run(req));
    } catch (error) {
      const code = isReconnectKitError(error)
        ? error.code
        : error instanceof NewConnectionError
          ? error.code
          : 'internal_error';
      if (code === 'internal_error')
        logger.error('dashboard action failed', { path: req.path, error: String(error) });
      const connection = (req.params as Record<string, string | undefined>).id;
      const query = new URLSearchParams({ error: code, ...(connection ? { connection } : {}) });
      res.redirect(303, `/?${query.toString()}`);
    }
  };
}

const ERROR_MESSAGES: Readonly<Record<string, string>> = {
  connection_terminal: 'This connection is closed for good; use Connect again.',
  connection_not_found: 'That connection does not exist.',
  state_invalid: 'That reconnect link is not valid any more. Press Reconnect again.',
  state_expired: 'That reconnect link expired. Press Reconnect again.',
  state_used: 'That reconnect link was already used. Press Reconnect again if the connection still needs it.',
  state_superseded: 'A newer reconnect was started for this connection; use the latest one.',
  state_session_mismatch: 'That reconnect was started in another browser. Press Reconnect again here.',
  upstream_unavailable: 'The payroll data partner is unreachable right now. Try again in a minute.',
  upstream_rate_limited: 'The payroll data partner is busy. Try again in a minute.',
  upstream_error:
    'The payroll data partner refused the request. Try again; if it keeps failing, contact support.',
  not_terminal: 'This connection is still active; use Reconnect instead.',
  callback_invalid: 'The vendor sent us back without the details we need. Try again.',
};

async function flashFor(
  req: Request,
  service: ReconnectionService,
  userName: (hostUserId: string) => string,
): Promise<Flash | undefined> {
  const query = queryOf(req);
  let subject = 'The connection';
  let connection: Connection | undefined;
  if (query.connection) {
    connection = await service.getConnection(query.connection).catch(() => undefined);
    if (connection)
      subject = `${userName(connection.hostUserId)}'s ${connectionTitle(connection)} connection`;
  }
  if (query.error) {
    const known = ERROR_MESSAGES[query.error];
    return { kind: 'error', message: known ?? `Something went wrong (${query.error}).` };
  }
  switch (query.outcome) {
    case 'recovered':
      return { kind: 'success', message: `${subject} is reconnected.` };
    case 'account_mismatch':
      return {
        kind: 'warning',
        message: `${subject}: the sign-in reached a different company or account. Nothing was switched; sign in with the original login.`,
      };
    case 'pending':
      return { kind: 'info', message: `${subject}: waiting for the vendor to confirm the reconnect.` };
    case 'failed':
      return {
        kind: 'error',
        message: `${subject} could not be reconnected: ${connection?.problem?.reason ?? 'the vendor refused.'}`,
      };
  }
  switch (query.notice) {
    case 'disconnected':
      return { kind: 'info', message: `${subject} is disconnected.` };
    case 'checked':
      return {
        kind: 'info',
        message: `${subject}: status checked, ${connection ? STATE_LABELS[connection.state] : 'unknown'}.`,
      };
    case 'connected_again':
      return { kind: 'success', message: `${subject} is connected again.` };
    case 'connected_again_existing':
      return {
        kind: 'success',
        message: `${subject} is connected again. Finch allows one connection per employer and already had one (the company the employer last signed in to), so the employer signed in to that one again and it replaces the old connection.`,
      };
    case 'scenario': {
      const scenario = connection ? findDemoScenario(connection.provider, query.scenario ?? '') : undefined;
      return {
        kind: 'info',
        message: `Demo: “${scenario?.label ?? query.scenario}” happened to ${subject}.`,
      };
    }
  }
  return undefined;
}
