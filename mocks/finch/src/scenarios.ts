/**
 * Admin scenarios (`POST /__admin/scenarios/{id}`), catalogued in `fixtures/scenarios/finch.json`. Each targets a
 * connection id and changes it the way the real event would, firing the webhooks Finch would send.
 */
import { type MockContext, MockHttpError, type ScenarioDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { addEntities, setConnectionStatus, setEntityStatus } from './domain/connections.js';
import { PROVIDER_IDS } from './domain/providers.js';
import type { ConnectionLifecycleStatus, FinchConnection, FinchEntity, FinchState } from './domain/state.js';
import { createSandboxConnection } from './routes/sandbox.js';

type Ctx = MockContext<FinchState>;
const target = z.string().min(1);

function targetConnection(ctx: Ctx, id: string | undefined): FinchConnection {
  const connection = id === undefined ? undefined : ctx.state.connections.get(id);
  if (!connection) {
    throw new MockHttpError(404, {
      error: 'target_not_found',
      message: `no Finch connection "${id ?? ''}"; use a connection_id from finch.seed_connected or POST /sandbox/connections`,
    });
  }
  if (connection.status === 'disconnected') {
    throw new MockHttpError(409, {
      error: 'target_disconnected',
      message: `connection "${connection.id}" is disconnected; seed a new one`,
    });
  }
  return connection;
}

function statusScenario(
  id: string,
  description: string,
  to: ConnectionLifecycleStatus,
): ScenarioDefinition<FinchState> {
  return {
    id,
    description,
    input: z.object({ target }).strict(),
    run(input, ctx) {
      const connection = targetConnection(ctx, input.target);
      const from = connection.status;
      const webhooks = setConnectionStatus(ctx, connection, to);
      return { changed: { connection_id: connection.id, status: { from, to } }, webhooks };
    },
  };
}

const seedInput = z
  .object({
    provider_id: z.enum(PROVIDER_IDS).optional(),
    employee_size: z.number().int().min(1).max(10_000).optional(),
    products: z.array(z.string().min(1)).min(1).optional(),
    customer_id: z.string().min(1).max(255).optional(),
    customer_name: z.string().min(1).max(255).optional(),
    entities: z.number().int().min(1).max(10).optional(),
  })
  .strict();

const entitiesAddedInput = z.object({ target, count: z.number().int().min(1).max(9).default(2) }).strict();
const entityInput = z.object({ target, entity_id: z.string().min(1).optional() }).strict();

/** The entity a scenario breaks: the one named, else the connection's last attached entity. */
function targetEntity(connection: FinchConnection, entityId: string | undefined): FinchEntity {
  const attached = connection.entities.filter((e) => e.status !== 'disconnected');
  const entity = entityId === undefined ? attached.at(-1) : attached.find((e) => e.id === entityId);
  if (!entity) {
    throw new MockHttpError(404, {
      error: 'entity_not_found',
      message: `connection "${connection.id}" has no attached entity "${entityId ?? ''}"`,
    });
  }
  return entity;
}

const rateLimitInput = z
  .object({
    target,
    calls: z.number().int().min(1).max(1000).default(3),
    retry_after_seconds: z.number().int().min(0).max(3600).default(30),
  })
  .strict();

const outageInput = z
  .object({
    target,
    duration_seconds: z.number().int().min(1).max(86_400).default(300),
    status: z.union([z.literal(500), z.literal(502), z.literal(503)]).default(502),
  })
  .strict();

export const finchScenarios: ScenarioDefinition<FinchState>[] = [
  {
    id: 'finch.seed_connected',
    description: 'Creates a connected sandbox connection (new company) and returns its ids and access token.',
    input: seedInput,
    run(input, ctx) {
      const body = seedInput.parse(input);
      const { connection, response } = createSandboxConnection(ctx, ctx.config.credentials.client_id ?? '', {
        ...body,
        provider_id: body.provider_id ?? 'gusto',
      });
      return {
        changed: { ...response, customer_id: connection.customerId, status: connection.status },
        webhooks: [],
      };
    },
  },
  statusScenario('finch.reauth', 'The connection needs re-authentication (status reauth).', 'reauth'),
  statusScenario(
    'finch.permissions_lost',
    "The admin account's permissions in the provider became insufficient (status error_permissions).",
    'error_permissions',
  ),
  statusScenario(
    'finch.disconnected',
    'The connection was disconnected upstream; its tokens stop working.',
    'disconnected',
  ),
  {
    id: 'finch.reauth_different_company',
    description: 'The connection needs re-auth, and the next Connect login for it lands in another company.',
    input: z.object({ target }).strict(),
    run(input, ctx) {
      const connection = targetConnection(ctx, input.target);
      const from = connection.status;
      connection.nextLoginLandsElsewhere = true;
      const webhooks = setConnectionStatus(ctx, connection, 'reauth');
      return {
        changed: {
          connection_id: connection.id,
          status: { from, to: connection.status },
          next_login_lands_in_new_company: true,
        },
        webhooks,
      };
    },
  },
  {
    id: 'finch.entities_added',
    description: 'The login behind the connection now reaches more legal entities; they join the connection.',
    input: entitiesAddedInput,
    run(input, ctx) {
      const { count } = entitiesAddedInput.parse(input);
      const connection = targetConnection(ctx, input.target);
      const added = addEntities(ctx, connection, count);
      return {
        changed: { connection_id: connection.id, entities_added: added.map((e) => e.entity.id) },
        webhooks: added.map((e) => e.webhook),
      };
    },
  },
  {
    id: 'finch.entity_reauth',
    description: 'One entity of the connection needs re-authentication; the other entities keep working.',
    input: entityInput,
    run(input, ctx) {
      const { entity_id } = entityInput.parse(input);
      const connection = targetConnection(ctx, input.target);
      const entity = targetEntity(connection, entity_id);
      const from = entity.status;
      const webhook = setEntityStatus(ctx, connection, entity, 'reauth');
      return {
        changed: { connection_id: connection.id, entity_id: entity.id, status: { from, to: entity.status } },
        webhooks: webhook ? [webhook] : [],
      };
    },
  },
  {
    id: 'finch.rate_limited',
    description:
      'The next N data calls for the connection answer 429 rate_limit_exceeded_error with Retry-After.',
    input: rateLimitInput,
    run(input, ctx) {
      const { calls, retry_after_seconds } = rateLimitInput.parse(input);
      const connection = targetConnection(ctx, input.target);
      connection.faults.rateLimit = { remaining: calls, retryAfterSeconds: retry_after_seconds };
      return {
        changed: { connection_id: connection.id, rate_limited_calls: calls, retry_after_seconds },
        webhooks: [],
      };
    },
  },
  {
    id: 'finch.provider_outage',
    description:
      'Data calls for the connection fail with 502 upstream_provider_error (or 500/503) for a while.',
    input: outageInput,
    run(input, ctx) {
      const { duration_seconds, status } = outageInput.parse(input);
      const connection = targetConnection(ctx, input.target);
      const until = new Date(ctx.clock.now().getTime() + duration_seconds * 1000);
      connection.faults.outage = { until, status };
      return { changed: { connection_id: connection.id, status, until: until.toISOString() }, webhooks: [] };
    },
  },
];
