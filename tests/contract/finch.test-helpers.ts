/** Plumbing shared by the Finch contract tests: a webhook receiver, the mock's admin API, the Connect page driver. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  readonly rawBody: Uint8Array;
  readonly headers: Headers;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A real HTTP endpoint for the mock's webhook deliveries; keeps the exact bytes and headers. */
export async function startWebhookReceiver(): Promise<{
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}> {
  const deliveries: Delivery[] = [];
  const server = createServer(async (request, response) => {
    const rawBody = await readBody(request);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') headers.set(name, value);
    deliveries.push({ rawBody, headers });
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/finch/webhooks`,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Calls the mock's admin API; a non-2xx answer fails the test with the mock's message. */
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
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`admin ${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const decodeEntities = (value: string) =>
  value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/**
 * Plays the employer on the mock's Connect page with plain HTTP: loads the page, posts its form with the sandbox
 * login, and returns the URL of the 302 back to the host (`?code=…&state=…`).
 */
export async function employerLogsIn(
  connectUrl: string,
  login: { username: string; password: string } = { username: 'good_user', password: 'good_pass' },
): Promise<URL> {
  const page = await fetch(connectUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`Connect page answered ${page.status}: ${html}`);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(decodeEntities(match[1] ?? ''), decodeEntities(match[2] ?? ''));
  }
  fields.set('username', login.username);
  fields.set('password', login.password);
  const action = new URL(
    decodeEntities(html.match(/<form[^>]*action="([^"]+)"/)?.[1] ?? '/authorize'),
    connectUrl,
  );
  const submitted = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || location === null) {
    throw new Error(`Connect login answered ${submitted.status}: ${await submitted.text()}`);
  }
  return new URL(location);
}
