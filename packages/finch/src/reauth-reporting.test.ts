import Finch from '@tryfinch/finch-api';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, fixture } from './finch.test-helpers.js';
import { type ErrorReporter, withReauthReporting } from './reauth-reporting.js';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const directory = fixture('payloads/finch/directory.json');

function recordingService(): ErrorReporter & { reports: [string, unknown][] } {
  const reports: [string, unknown][] = [];
  return {
    reports,
    reportError: async (connectionId, error) => {
      reports.push([connectionId, error]);
      return {} as Awaited<ReturnType<ErrorReporter['reportError']>>;
    },
  };
}

const directoryReturns = (status: number, body: object) =>
  server.use(http.get(`${BASE_URL}/employer/directory`, () => HttpResponse.json(body, { status })));
const client = () => new Finch({ accessToken: 'token', baseURL: BASE_URL, maxRetries: 0 });

describe('withReauthReporting', () => {
  it('reports a 401 reauthenticate_user to the service before rethrowing it', async () => {
    directoryReturns(401, fixture('payloads/finch/error.reauthenticate-user.json'));
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_1');
    const error = await finch.hris.directory.list().then(
      () => expect.unreachable('should fail'),
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ status: 401, error: { finch_code: 'reauthenticate_user' } });
    expect(service.reports).toEqual([['conn_1', error]]);
  });

  it('reports through the SDK extras too (withResponse) and through an account-permissions error', async () => {
    directoryReturns(403, fixture('payloads/finch/error.insufficient-permissions.json'));
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_2');
    await expect(finch.hris.directory.list().withResponse()).rejects.toMatchObject({ status: 403 });
    expect(service.reports.map(([id]) => id)).toEqual(['conn_2']);
  });

  it('does not report transient or unrelated errors, and still rethrows them', async () => {
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_3');
    directoryReturns(429, fixture('payloads/finch/error.rate-limited.json'));
    await expect(finch.hris.directory.list()).rejects.toMatchObject({ status: 429 });
    directoryReturns(400, fixture('payloads/finch/error.connection-not-found.json'));
    await expect(finch.hris.directory.list()).rejects.toMatchObject({ status: 400 });
    expect(service.reports).toEqual([]);
  });

  it('passes successful results through unchanged, including page iteration', async () => {
    directoryReturns(200, directory);
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_4');
    const page = await finch.hris.directory.list();
    expect(page.individuals.map((individual) => individual.id)).toEqual(
      (directory.individuals as { id: string }[]).map((individual) => individual.id),
    );
    const ids: string[] = [];
    for await (const individual of finch.hris.directory.list()) ids.push(individual.id);
    expect(ids).toHaveLength(2);
    expect(finch.hris).toBe(finch.hris);
    expect(service.reports).toEqual([]);
  });

  it('keeps reporting on clients derived with withAccessToken', async () => {
    directoryReturns(401, fixture('payloads/finch/error.reauthenticate-user.json'));
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_5').withAccessToken('other-token');
    await expect(finch.hris.directory.list()).rejects.toMatchObject({ status: 401 });
    expect(service.reports).toHaveLength(1);
  });

  it('reports a job read that shows reauth_error, and still returns the job; other outcomes are not reported', async () => {
    const jobId = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70';
    const jobs: Record<string, string> = { [jobId]: 'reauth_error', other: 'complete' };
    server.use(
      http.get(`${BASE_URL}/jobs/automated/:id`, ({ params }) =>
        HttpResponse.json({
          job_id: params.id,
          job_url: `${BASE_URL}/jobs/automated/${params.id}`,
          type: 'data_sync_all',
          status: jobs[String(params.id)],
          created_at: '2026-11-23T11:00:00.000Z',
          scheduled_at: null,
          started_at: null,
          completed_at: '2026-11-23T11:05:00.000Z',
          params: null,
        }),
      ),
    );
    const service = recordingService();
    const finch = withReauthReporting(client(), service, 'conn_6');
    const job = await finch.jobs.automated.retrieve(jobId);
    expect(job.status).toBe('reauth_error');
    expect(service.reports).toEqual([['conn_6', job]]);
    await finch.jobs.automated.retrieve('other');
    expect(service.reports).toHaveLength(1);
  });

  it('rethrows the original error even when reporting fails', async () => {
    directoryReturns(401, fixture('payloads/finch/error.reauthenticate-user.json'));
    const finch = withReauthReporting(
      client(),
      { reportError: () => Promise.reject(new Error('store down')) },
      'c',
    );
    await expect(finch.hris.directory.list()).rejects.toMatchObject({ status: 401 });
  });
});
