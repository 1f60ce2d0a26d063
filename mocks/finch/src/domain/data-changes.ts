/**
 * Data-change webhooks: when a data sync publishes a company's staged sandbox edits, the difference between the
 * old and the new data becomes Finch's `company.updated`, `directory.*`, `individual.*`, `employment.*`,
 * `payment.*` and `pay_statement.*` events, for every connection entity that reads that company.
 */
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { enqueueConnectionEvent } from '../webhooks.js';
import type { CompanyData } from './sandbox-data.js';
import type { FinchConnection, FinchEntity, FinchState, SandboxCompany } from './state.js';

type Ctx = MockContext<FinchState>;

interface Change {
  eventType: string;
  data: Record<string, unknown> | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** created / updated / deleted events between two keyed collections. */
function diffKeyed<T>(
  before: Map<string, T>,
  after: Map<string, T>,
  prefix: string,
  data: (key: string, value: T) => Record<string, unknown>,
): Change[] {
  const changes: Change[] = [];
  for (const [key, value] of after) {
    const old = before.get(key);
    if (old === undefined) changes.push({ eventType: `${prefix}.created`, data: data(key, value) });
    else if (!same(old, value)) changes.push({ eventType: `${prefix}.updated`, data: data(key, value) });
  }
  for (const [key, value] of before) {
    if (!after.has(key)) changes.push({ eventType: `${prefix}.deleted`, data: data(key, value) });
  }
  return changes;
}

function byId<T extends { id: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/** Every data-change event from `before` to `after`, in Finch's product order. */
export function dataChanges(before: CompanyData, after: CompanyData): Change[] {
  const individual = (id: string) => ({ individual_id: id });
  const statements = (data: CompanyData) => {
    const keyed = new Map<string, { payment_id: string; individual_id: string; body: unknown }>();
    for (const [paymentId, list] of data.payStatements) {
      for (const statement of list) {
        const individualId = statement.individual_id ?? '';
        keyed.set(`${paymentId}/${individualId}`, {
          payment_id: paymentId,
          individual_id: individualId,
          body: statement,
        });
      }
    }
    return keyed;
  };
  return [
    ...(same(before.company, after.company) ? [] : [{ eventType: 'company.updated', data: null }]),
    ...diffKeyed(byId(before.directory), byId(after.directory), 'directory', individual),
    ...diffKeyed(before.individuals, after.individuals, 'individual', individual),
    ...diffKeyed(before.employments, after.employments, 'employment', individual),
    ...diffKeyed(byId(before.payments), byId(after.payments), 'payment', (id, p) => ({
      payment_id: id,
      pay_date: p.pay_date,
    })),
    ...diffKeyed(statements(before), statements(after), 'pay_statement', (_, s) => ({
      payment_id: s.payment_id,
      individual_id: s.individual_id,
    })),
  ];
}

function readersOf(ctx: Ctx, company: SandboxCompany): [FinchConnection, FinchEntity][] {
  const readers: [FinchConnection, FinchEntity][] = [];
  for (const connection of ctx.state.connections.values()) {
    if (connection.status === 'disconnected') continue;
    for (const entity of connection.entities) {
      if (entity.companyId === company.id && entity.status !== 'disconnected')
        readers.push([connection, entity]);
    }
  }
  return readers;
}

/** Publishes the company's staged edits and sends the resulting webhooks; nothing staged, nothing sent. */
export function publishStagedData(ctx: Ctx, company: SandboxCompany): QueuedWebhook[] {
  const { data: before, staged: after } = company;
  if (!before || !after) return [];
  // Deductions are written live (not through the sandbox data verbs): keep the current ones.
  company.data = { ...after, benefits: before.benefits };
  delete company.staged;
  const changes = dataChanges(before, after);
  const webhooks: QueuedWebhook[] = [];
  for (const [connection, entity] of readersOf(ctx, company)) {
    for (const change of changes) {
      webhooks.push(enqueueConnectionEvent(ctx, connection, change.eventType, change.data, entity));
    }
  }
  return webhooks;
}
