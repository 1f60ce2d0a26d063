import { type Agent, Agent as HttpAgent, request as httpRequest } from 'node:http';
import express from 'express';
import { describe, expect, test } from 'vitest';
import { createMockInstance } from './instance.js';
import { createExpressMiddleware, startMockServer } from './server.js';
import { testProvider } from './testing/test-provider.js';

function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('startMockServer', () => {
  test('binds 127.0.0.1 on a free port; two servers get different ports', async () => {
    const [one, two] = await Promise.all([
      startMockServer(testProvider, { catalogue: null, env: {} }),
      startMockServer(testProvider, { catalogue: null, env: {} }),
    ]);
    expect(one.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(one.url).not.toBe(two.url);
    await Promise.all([one.close(), two.close()]);
  });

  test('close() resolves promptly even with an idle keep-alive socket open, and is idempotent', async () => {
    const server = await startMockServer(testProvider, { catalogue: null, env: {} });
    const agent = new HttpAgent({ keepAlive: true });
    expect((await get(`${server.url}/v1/accounts`, agent)).status).toBe(200);
    const started = performance.now();
    await Promise.all([server.close(), server.close()]);
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(get(`${server.url}/v1/accounts`, new HttpAgent())).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });

  test('answers /favicon.ico with 204 and does not journal it as a vendor call', async () => {
    const server = await startMockServer(testProvider, { catalogue: null, env: {} });
    const agent = new HttpAgent();
    expect(await get(`${server.url}/favicon.ico`, agent)).toEqual({ status: 204, body: '' });
    const journal = await get(`${server.url}/__admin/requests`, agent);
    expect(JSON.parse(journal.body)).toMatchObject({ requests: [] });
    await server.close();
  });

  test('credentials: definition defaults ← env (credentialEnv) ← webhookSecret ← explicit', async () => {
    const server = await startMockServer(testProvider, {
      catalogue: null,
      env: { TESTPROV_MOCK_CLIENT_ID: 'from-env', TESTPROV_MOCK_CLIENT_SECRET: 'env-secret' },
      webhookSecret: 'whsec_flag',
      credentials: { client_secret: 'explicit' },
    });
    expect(server.instance.ctx.config.credentials).toEqual({
      client_id: 'from-env',
      client_secret: 'explicit',
      webhook_secret: 'whsec_flag',
    });
    expect(server.instance.webhooks.settings.secret).toBe('whsec_flag');
    await server.close();
  });
});

describe('createExpressMiddleware', () => {
  test('serves the mock under a mount path of an existing express app', async () => {
    const instance = createMockInstance(testProvider, { catalogue: null, env: {} });
    const app = express();
    app.use('/testprov', createExpressMiddleware(instance));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${port}/testprov/v1/whoami?q=1`);
    expect(await response.json()).toMatchObject({
      base_url: `http://127.0.0.1:${port}/testprov`,
      url: `http://127.0.0.1:${port}/testprov/v1/whoami?q=1`,
    });
    expect(instance.journal.list()).toEqual([expect.objectContaining({ path: '/v1/whoami', status: 200 })]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
});
