/** Calls a mock's `/__admin` API; a non-2xx answer throws with the mock's own message. */
export async function mockAdmin(
  mockUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${mockUrl}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`mock admin ${method} ${path} answered ${response.status}: ${text}`);
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** What `POST /__admin/scenarios/{id}` answers. */
export interface ScenarioRun {
  readonly changed: unknown;
  readonly webhooks: readonly unknown[];
}

/** The running mock as hooks see it. */
export interface MockEnv {
  readonly mockUrl: string;
  /** Where the mock's webhooks must go (the suite's receiver). */
  readonly webhookUrl: string;
  admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Runs a catalogue scenario on the mock. */
  scenario(id: string, input?: Record<string, unknown>): Promise<ScenarioRun>;
  /** Changes the fields of the mock's webhook settings that `settings` names (`PUT /__admin/webhooks`). */
  updateWebhooks(settings: Record<string, unknown>): Promise<void>;
  /** Waits until the mock has delivered every queued webhook (`POST /__admin/webhooks/flush`). */
  flushWebhooks(): Promise<void>;
}

export function mockEnv(mockUrl: string, webhookUrl: string): MockEnv {
  const admin = (method: string, path: string, body?: unknown) => mockAdmin(mockUrl, method, path, body);
  return {
    mockUrl,
    webhookUrl,
    admin,
    scenario: async (id, input = {}) =>
      (await admin('POST', `/scenarios/${encodeURIComponent(id)}`, input)) as unknown as ScenarioRun,
    // `?limit=0`: the suite reads deliveries from its receiver, not from the mock's log, which grows with every rule
    // (answered in full, it was most of what the admin API sent over a suite).
    updateWebhooks: async (settings) => {
      await admin('PUT', '/webhooks?limit=0', settings);
    },
    flushWebhooks: async () => {
      await admin('POST', '/webhooks/flush?limit=0');
    },
  };
}
