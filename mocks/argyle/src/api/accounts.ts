/** `/v2/accounts`, `disable-ongoing-refresh` and the sandbox `periodic-scan`. */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { disableOngoingRefresh, periodicScan, removeAccount } from '../domain/accounts.js';
import { serializeAccount } from '../domain/serialize.js';
import type { AccountRecord, ArgyleState } from '../domain/state.js';
import { checkUuidFilters } from './data.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { type PageRequest, pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors } from './validation.js';

const ONGOING_REFRESH_STATUSES = ['enabled', 'disabled', 'idle'];

function findAccount(req: MockRequest, ctx: ArgyleContext): AccountRecord {
  const account = ctx.state.accounts.get(req.params.id ?? '');
  if (!account) throw notFound();
  return account;
}

/** django-filter messages for the list filters; a bad filter is a 400 naming it. */
function checkFilters(page: PageRequest): void {
  const errors = new FieldErrors();
  checkUuidFilters(page, ['user'], errors);
  const item = page.filters.get('item');
  if (item !== undefined && !/^item_\d+$/.test(item)) errors.add('item', 'Enter a valid item id.');
  const refresh = page.filters.get('ongoing_refresh_status');
  if (refresh !== undefined && !ONGOING_REFRESH_STATUSES.includes(refresh)) {
    errors.add(
      'ongoing_refresh_status',
      `Select a valid choice. ${refresh} is not one of the available choices.`,
    );
  }
  errors.throwIfAny();
}

export const accountRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/accounts', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['user', 'item', 'ongoing_refresh_status']);
      checkFilters(page);
      const user = page.filters.get('user');
      const item = page.filters.get('item');
      const refresh = page.filters.get('ongoing_refresh_status');
      const accounts = [...ctx.state.accounts.values()].filter(
        (account) =>
          (user === undefined || account.userId === user) &&
          (item === undefined || account.itemId === item) &&
          (refresh === undefined || account.ongoingRefresh === refresh),
      );
      return pageResponse(req, page, accounts, (account) => serializeAccount(ctx.state, account));
    },
  }),
  ...apiResource('/v2/accounts/:id', {
    GET(req, ctx) {
      return jsonResponse(200, serializeAccount(ctx.state, findAccount(req, ctx)));
    },
    DELETE(req, ctx) {
      removeAccount(ctx, findAccount(req, ctx));
      return { status: 204 };
    },
  }),
  ...apiResource('/v2/accounts/:id/periodic-scan', {
    POST(req, ctx) {
      const account = findAccount(req, ctx);
      readObjectBody(req);
      periodicScan(ctx, account);
      return jsonResponse(200, {});
    },
  }),
  ...apiResource('/v2/accounts/:id/disable-ongoing-refresh', {
    POST(req, ctx) {
      const account = findAccount(req, ctx);
      readObjectBody(req);
      disableOngoingRefresh(ctx, account);
      return jsonResponse(200, serializeAccount(ctx.state, account));
    },
  }),
];
