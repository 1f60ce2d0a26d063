/**
 * A vendor mock for figure 3, started in-process with its public API on 127.0.0.1, port 0, and seeded through
 * its own vendor-real and admin routes. Prints `{"url", "path", "headers"}`: the data request to load it with.
 *
 *   node mock-server.mjs argyle   GET /v2/accounts/{id} of a connected account (Basic auth)
 *   node mock-server.mjs finch    GET /employer/directory of a sandbox connection (Bearer token)
 */
import { importBuilt } from '../lib/packages.mjs';

const basic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function call(url, init) {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function argyle() {
  const { startArgyleMock, DEFAULT_ARGYLE_CREDENTIALS } = await importBuilt('mock-argyle');
  const mock = await startArgyleMock({ port: 0 });
  const { changed } = await call(`${mock.url}/__admin/scenarios/argyle.seed_connected`, {
    method: 'POST',
    body: '{}',
  });
  const { api_key_id, api_key_secret } = DEFAULT_ARGYLE_CREDENTIALS;
  return {
    mock,
    path: `/v2/accounts/${changed.account_id}`,
    headers: { authorization: basic(api_key_id, api_key_secret) },
  };
}

async function finch() {
  const { startFinchMock, FINCH_DEFAULT_CREDENTIALS, FINCH_API_VERSION } = await importBuilt('mock-finch');
  const mock = await startFinchMock({ port: 0 });
  const { client_id, client_secret } = FINCH_DEFAULT_CREDENTIALS;
  const version = { 'finch-api-version': FINCH_API_VERSION };
  const { access_token } = await call(`${mock.url}/sandbox/connections`, {
    method: 'POST',
    headers: {
      ...version,
      authorization: basic(client_id, client_secret),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ provider_id: 'gusto' }),
  });
  return {
    mock,
    path: '/employer/directory',
    headers: { ...version, authorization: `Bearer ${access_token}` },
  };
}

const vendors = { argyle, finch };
const vendor = vendors[process.argv[2]];
if (!vendor) throw new Error(`unknown vendor ${process.argv[2]}; use ${Object.keys(vendors).join(' or ')}`);
const { mock, path, headers } = await vendor();
console.log(JSON.stringify({ url: mock.url, path, headers }));
process.on('SIGTERM', () => mock.close().then(() => process.exit(0)));
