/**
 * A vendor mock for figure 3, started in-process with its public API on 127.0.0.1, port 0, and seeded through
 * its own vendor-real and admin routes. Prints `{"url", "path", "headers"}`: the data request to load it with.
 *
 *   node mock-server.mjs argyle   GET /v2/accounts/{id} of a connected account (Basic auth)
 *   node mock-server.mjs argyle-paystubs
 *                                 GET /v2/paystubs?account=…&limit=100: a page of 100 full paystubs (Bob, weekly)
 *   node mock-server.mjs finch    GET /employer/directory of a sandbox connection (Bearer token)
 *   node mock-server.mjs finch-100  the same with 100 employees: one full default page (100 individuals)
 *   node mock-server.mjs argyle-fleet <count> <file>
 *                                 `count` accounts logged out by the payroll site (auth_required), made with the
 *                                 mock's own scenarios; their `{ account, user }` ids are written to `file`
 */
import { writeFileSync } from 'node:fs';
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

async function argylePaystubs() {
  const { mock, path, headers } = await argyle();
  const accountId = path.split('/').at(-1);
  return { mock, path: `/v2/paystubs?account=${accountId}&limit=100`, headers };
}

async function finch(employeeSize = 20) {
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
    body: JSON.stringify({ provider_id: 'gusto', employee_size: employeeSize }),
  });
  return {
    mock,
    path: '/employer/directory',
    headers: { ...version, authorization: `Bearer ${access_token}` },
  };
}

async function argyleFleet(count, file) {
  const { startArgyleMock, DEFAULT_ARGYLE_CREDENTIALS, argyleMock } = await importBuilt('mock-argyle');
  // No journal: a sweep's 100,000 requests would otherwise be kept for the admin API.
  const mock = await startArgyleMock({ port: 0, journalLimit: 0 });
  const scenario = (id) => argyleMock.scenarios.find((candidate) => candidate.id === id);
  const seed = scenario('argyle.seed_connected');
  const logOut = scenario('argyle.auth_required');
  const { ctx } = mock.instance;
  const accounts = [];
  for (let i = 0; i < Number(count); i += 1) {
    const { changed } = await seed.run({}, ctx);
    await logOut.run({ target: changed.account_id }, ctx);
    // Status checks read no payroll data: dropping each account's generated data keeps the fleet's memory small.
    for (const store of Object.values(ctx.state.data)) store.removeAccount(changed.account_id);
    accounts.push({ account: changed.account_id, user: changed.user_id });
  }
  writeFileSync(file, JSON.stringify(accounts));
  const { api_key_id, api_key_secret } = DEFAULT_ARGYLE_CREDENTIALS;
  return { mock, path: '/v2/accounts', headers: { authorization: basic(api_key_id, api_key_secret) } };
}

const vendors = {
  argyle,
  'argyle-paystubs': argylePaystubs,
  finch,
  'finch-100': () => finch(100),
  'argyle-fleet': argyleFleet,
};
const vendor = vendors[process.argv[2]];
if (!vendor) throw new Error(`unknown vendor ${process.argv[2]}; use ${Object.keys(vendors).join(' or ')}`);
const { mock, path, headers } = await vendor(...process.argv.slice(3));
console.log(JSON.stringify({ url: mock.url, path, headers }));
process.on('SIGTERM', () => mock.close().then(() => process.exit(0)));
