import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook as the mock sent it: the exact bytes and headers. */
export interface Delivery {
  readonly rawBody: Uint8Array;
  readonly headers: Headers;
}

export interface WebhookReceiver {
  readonly url: string;
  /** Every delivery received so far, oldest first (tests may splice it). */
  readonly deliveries: Delivery[];
  /** Removes and returns every delivery received so far. */
  take(): Delivery[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A real HTTP endpoint (127.0.0.1, free port) for a mock's webhook deliveries; answers 200 to everything. */
export async function startWebhookReceiver(path = '/webhooks'): Promise<WebhookReceiver> {
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
    url: `http://127.0.0.1:${port}${path}`,
    deliveries,
    take: () => deliveries.splice(0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
