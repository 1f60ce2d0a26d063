/** `/v2/users` and `/v2/user-tokens`. */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import { serializeUser } from '../domain/serialize.js';
import type { ArgyleState, UserRecord } from '../domain/state.js';
import { createUser, deleteUser, userTokenFor } from '../domain/users.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound, readObjectBody } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, readObject, readString } from './validation.js';

function findUser(req: MockRequest, ctx: ArgyleContext): UserRecord {
  const user = ctx.state.users.get(req.params.id ?? '');
  if (!user) throw notFound();
  return user;
}

const PROFILE_FIELDS = ['first_name', 'last_name', 'ssn'] as const;

/**
 * The writable fields of create and update, validated alike; profile fields are checked and then kept out of the
 * user object, as in recorded responses. Returns only the fields the body holds.
 */
function readUserFields(req: MockRequest): {
  externalId?: string | null;
  externalMetadata?: { [key: string]: unknown } | null;
} {
  const body = readObjectBody(req);
  const errors = new FieldErrors();
  for (const field of PROFILE_FIELDS) readString(body, field, errors);
  readString(body, 'email', errors, { format: 'email' });
  readString(body, 'phone_number', errors, { format: 'phone' });
  const externalId = readString(body, 'external_id', errors, { maxLength: 100 });
  const externalMetadata = readObject(body, 'external_metadata', errors);
  errors.throwIfAny();
  return {
    ...('external_id' in body ? { externalId } : {}),
    ...('external_metadata' in body ? { externalMetadata } : {}),
  };
}

export const userRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/users', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['external_id']);
      const externalId = page.filters.get('external_id');
      const users = [...ctx.state.users.values()].filter(
        (user) => externalId === undefined || user.externalId === externalId,
      );
      return pageResponse(req, page, users, (user) => serializeUser(ctx.state, user));
    },
    POST(req, ctx) {
      const user = createUser(ctx, readUserFields(req));
      // Argyle documents 200 but the sandbox answers 201 (recorded).
      return jsonResponse(201, { user_token: userTokenFor(ctx, user.id), id: user.id });
    },
  }),
  ...apiResource('/v2/users/:id', {
    GET(req, ctx) {
      return jsonResponse(200, serializeUser(ctx.state, findUser(req, ctx)));
    },
    PATCH(req, ctx) {
      const user = findUser(req, ctx);
      const fields = readUserFields(req);
      if (fields.externalId !== undefined) user.externalId = fields.externalId;
      if (fields.externalMetadata !== undefined) user.externalMetadata = fields.externalMetadata ?? {};
      return jsonResponse(200, serializeUser(ctx.state, user));
    },
    DELETE(req, ctx) {
      deleteUser(ctx, findUser(req, ctx));
      return { status: 204 };
    },
  }),
  ...apiResource('/v2/user-tokens', {
    POST(req, ctx) {
      const body = readObjectBody(req);
      const errors = new FieldErrors();
      const userId = readString(body, 'user', errors, { required: true });
      if (userId !== null && !errors.has('user') && !ctx.state.users.has(userId)) {
        errors.add('user', `Invalid pk "${userId}" - object does not exist.`);
      }
      errors.throwIfAny();
      return jsonResponse(200, { user_token: userTokenFor(ctx, userId!) });
    },
  }),
];
