import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import {
  createMockInstance,
  DEFAULT_MAX_BODY_BYTES,
  type MockInstance,
  type MockInstanceOptions,
} from './instance.js';
import type { MockProviderDefinition } from './types.js';

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Bodies above this many bytes are not kept (the instance answers 413). Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface StartMockServerOptions extends MockInstanceOptions, ServeOptions {}

export interface RunningMockServer<S> {
  /** e.g. `http://127.0.0.1:54321` */
  url: string;
  instance: MockInstance<S>;
  /** Stops listening, closes keep-alive sockets and stops webhook delivery. Safe to call twice. */
  close(): Promise<void>;
}

const EMPTY_BODY = new Uint8Array(0);

/** Starts an HTTP server for a fresh instance of `definition`. */
export function startMockServer<S>(
  definition: MockProviderDefinition<S>,
  options: StartMockServerOptions = {},
): Promise<RunningMockServer<S>> {
  return serveMockInstance(createMockInstance(definition, options), options);
}

/** Serves an existing instance over HTTP (e.g. one that msw handlers also use). */
export async function serveMockInstance<S>(
  instance: MockInstance<S>,
  options: ServeOptions = {},
): Promise<RunningMockServer<S>> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let fallbackBaseUrl = '';
  // express serves one catch-all middleware: the engine routes by itself (a compiled route table), so express's
  // router never scans vendor routes, and mounting the same instance elsewhere uses `createExpressMiddleware`.
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // A browser on the mock's Link / Connect pages asks for it; no vendor serves one, and it is not a vendor call to
  // journal or fault.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.use((req, res) => {
    void serveRequest(instance, req, res, fallbackBaseUrl, maxBodyBytes);
  });
  const server = createServer(app);
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  fallbackBaseUrl = url;
  let closing: Promise<void> | undefined;
  return {
    url,
    instance,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        instance.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Mounts an instance inside an existing express (or connect / node:http) app, e.g.
 * `app.use('/argyle', createExpressMiddleware(instance))`. The mount path becomes the base path.
 */
export function createExpressMiddleware<S>(
  instance: MockInstance<S>,
  options: { maxBodyBytes?: number } = {},
): RequestHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (req, res) => {
    const host = req.headers.host ?? 'localhost';
    void serveRequest(instance, req, res, `http://${host}`, maxBodyBytes, `http://${host}${req.baseUrl}`);
  };
}

async function serveRequest<S>(
  instance: MockInstance<S>,
  req: IncomingMessage,
  res: ServerResponse,
  fallbackBaseUrl: string,
  maxBodyBytes: number,
  mountedBaseUrl?: string,
): Promise<void> {
  try {
    const declaredLength = req.headers['content-length'];
    const hasBody =
      (declaredLength !== undefined && declaredLength !== '0') || req.headers['transfer-encoding'];
    // Oversized bodies are still read (and discarded) so the client gets the 413 instead of a broken upload.
    const body = hasBody ? await readNodeBody(req, maxBodyBytes) : { bytes: EMPTY_BODY, tooLarge: false };
    const host = req.headers.host;
    const result = await instance.handleCall({
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers: req.headers,
      rawBody: body.bytes,
      bodyTooLarge: body.tooLarge,
      baseUrl: mountedBaseUrl ?? (host ? `http://${host}` : fallbackBaseUrl),
    });
    if (result.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string | number> = result.headers;
    headers['content-length'] =
      result.body === null
        ? 0
        : typeof result.body === 'string'
          ? Buffer.byteLength(result.body)
          : result.body.byteLength;
    res.writeHead(result.status, headers);
    res.end(result.body ?? undefined);
  } catch (error) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const message = `mock server failure: ${error instanceof Error ? error.message : String(error)}`;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'internal_error', message }));
  }
}

function readNodeBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ bytes: Uint8Array; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        tooLarge
          ? { bytes: EMPTY_BODY, tooLarge }
          : { bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), tooLarge },
      ),
    );
    req.on('error', reject);
  });
}
