/** Operations on the Finch mock's world; every status change goes through `setConnectionStatus`. */
import { randomUUID } from 'node:crypto';
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { enqueueConnectionEvent } from '../webhooks.js';
import { SeededRandom } from './deterministic.js';
import { type CompanyData, generateCompanyData } from './sandbox-data.js';
import type {
  AuthenticationType,
  ConnectionLifecycleStatus,
  FinchConnection,
  FinchEntity,
  FinchState,
  SandboxCompany,
} from './state.js';

type Ctx = MockContext<FinchState>;

/** Finch Sandbox's default employee count. */
export const DEFAULT_EMPLOYEE_SIZE = 20;
/** Products a sandbox connection gets when none are asked for. */
export const DEFAULT_SANDBOX_PRODUCTS = [
  'company',
  'directory',
  'individual',
  'employment',
  'payment',
  'pay_statement',
];

const COMPANY_NAMES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Tyrell',
];
const COMPANY_SUFFIXES = ['Inc', 'LLC', 'Corp', 'Holdings Inc'];

export function createCompany(ctx: Ctx, employeeSize = DEFAULT_EMPLOYEE_SIZE): SandboxCompany {
  const id = ctx.newId();
  const random = new SeededRandom(`company-name:${id}`);
  const company: SandboxCompany = {
    id,
    legalName: `${random.pick(COMPANY_NAMES)} ${random.pick(COMPANY_NAMES)} ${random.pick(COMPANY_SUFFIXES)}`,
    employeeSize,
    createdOn: ctx.clock.now().toISOString().slice(0, 10),
  };
  ctx.state.companies.set(id, company);
  return company;
}

export function companyData(company: SandboxCompany): CompanyData {
  company.data ??= generateCompanyData(company);
  return company.data;
}

/** The company's data as the sandbox edits it: a copy that replaces the visible data at the next data sync. */
export function stagedData(company: SandboxCompany): CompanyData {
  company.staged ??= structuredClone(companyData(company));
  return company.staged;
}

export interface NewConnection {
  company: SandboxCompany;
  clientId: string;
  providerId: string;
  authenticationType: AuthenticationType;
  products: string[];
  customerId?: string | null;
  customerName?: string | null;
  customerEmail?: string | null;
  username?: string | null;
  /** More legal employers behind the same login: a multi-entity connection. */
  moreEntities?: SandboxCompany[];
}

function entityOf(ctx: Ctx, company: SandboxCompany, index: number): FinchEntity {
  return {
    id: ctx.newId(),
    companyId: company.id,
    name: company.legalName,
    sourceId: `entity-${index + 1}`,
    status: 'connected',
  };
}

export function createConnection(ctx: Ctx, input: NewConnection): FinchConnection {
  const now = ctx.clock.now();
  const entities = [input.company, ...(input.moreEntities ?? [])].map((c, i) => entityOf(ctx, c, i));
  const connection: FinchConnection = {
    id: ctx.newId(),
    companyId: input.company.id,
    accountId: ctx.newId(),
    entityId: entities[0]!.id,
    entities,
    clientId: input.clientId,
    providerId: input.providerId,
    authenticationType: input.authenticationType,
    products: [...input.products],
    status: 'connected',
    lastSuccessfulSync: now,
    customerId: input.customerId ?? null,
    customerName: input.customerName ?? null,
    customerEmail: input.customerEmail ?? null,
    username: input.username ?? null,
    nextLoginLandsElsewhere: false,
    faults: {},
    jobCompletionStatus: 'complete',
    w4Synced: new Set(),
    lastSyncAttempt: null,
    createdAt: now,
  };
  ctx.state.connections.set(connection.id, connection);
  return connection;
}

/** New legal entities join a live connection, each with its own company and an `account.updated` webhook. */
export function addEntities(ctx: Ctx, connection: FinchConnection, count: number) {
  const size = ctx.state.companies.get(connection.companyId)?.employeeSize ?? DEFAULT_EMPLOYEE_SIZE;
  return Array.from({ length: count }, () => {
    const entity = entityOf(ctx, createCompany(ctx, size), connection.entities.length);
    connection.entities.push(entity);
    return { entity, webhook: accountUpdated(ctx, connection, entity) };
  });
}

/** A new access token for the connection. Older tokens keep working until the connection is disconnected. */
export function issueAccessToken(ctx: Ctx, connection: FinchConnection): string {
  const value = randomUUID();
  ctx.state.tokens.set(value, { id: randomUUID(), connectionId: connection.id, createdAt: ctx.clock.now() });
  return value;
}

function accountUpdated(ctx: Ctx, connection: FinchConnection, entity: FinchEntity): QueuedWebhook {
  return enqueueConnectionEvent(
    ctx,
    connection,
    'account.updated',
    { status: entity.status, authentication_method: connection.authenticationType },
    entity,
  );
}

/**
 * A status change of the whole connection: every entity still attached follows it, and `account.updated` fires
 * once per entity that changed (once for a single-entity connection); no change, no webhook.
 */
export function setConnectionStatus(
  ctx: Ctx,
  connection: FinchConnection,
  status: ConnectionLifecycleStatus,
): QueuedWebhook[] {
  const follows = (e: FinchEntity) =>
    e.status === status || (e.status === 'disconnected' && status !== 'disconnected');
  if (connection.status === status && connection.entities.every(follows)) return [];
  connection.status = status;
  if (status === 'connected') connection.lastSuccessfulSync = ctx.clock.now();
  const webhooks: QueuedWebhook[] = [];
  for (const entity of connection.entities) {
    if (follows(entity)) continue;
    entity.status = status;
    webhooks.push(accountUpdated(ctx, connection, entity));
  }
  return webhooks;
}

/**
 * One entity's status changes, the others keep theirs (a multi-entity connection where one employer's admin lost
 * access, or `POST /disconnect-entity`). The connection itself turns `disconnected` only with its last entity.
 */
export function setEntityStatus(
  ctx: Ctx,
  connection: FinchConnection,
  entity: FinchEntity,
  status: ConnectionLifecycleStatus,
): QueuedWebhook | undefined {
  if (entity.status === status) return undefined;
  entity.status = status;
  const webhook = accountUpdated(ctx, connection, entity);
  if (connection.entities.every((e) => e.status === 'disconnected')) connection.status = 'disconnected';
  return webhook;
}

function live(connection: FinchConnection): boolean {
  return connection.status !== 'disconnected';
}

export function liveConnectionForCustomer(
  state: FinchState,
  clientId: string,
  customerId: string,
): FinchConnection | undefined {
  return [...state.connections.values()].find(
    (c) => live(c) && c.clientId === clientId && c.customerId === customerId,
  );
}

/**
 * The connection a sandbox login reaches: the newest live connection made by the same application, provider and
 * username. The legacy authorize URL has no connection id, so this is how it finds the company the user logs into.
 */
export function liveConnectionForLogin(
  state: FinchState,
  clientId: string,
  providerId: string,
  username: string,
): FinchConnection | undefined {
  let found: FinchConnection | undefined;
  for (const c of state.connections.values()) {
    if (live(c) && c.clientId === clientId && c.providerId === providerId && c.username === username) {
      if (!found || c.createdAt >= found.createdAt) found = c;
    }
  }
  return found;
}
