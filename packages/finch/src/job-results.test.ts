import { isReconnectKitError } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { fixture } from './finch.test-helpers.js';
import { classifyFinchJob, parseFinchJobBody, parseFinchJobUrl, readFinchJob } from './job-results.js';

const JOB_ID = 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70';

describe('readFinchJob', () => {
  it('reads an automated job body', () => {
    expect(
      readFinchJob({
        job_id: JOB_ID,
        job_url: 'x',
        type: 'data_sync_all',
        status: 'reauth_error',
        params: null,
      }),
    ).toEqual({ jobId: JOB_ID, status: 'reauth_error', type: 'data_sync_all' });
  });

  it.each([
    ['null', null],
    ['an Error', Object.assign(new Error('x'), { job_id: JOB_ID, status: 'reauth_error' })],
    ['no job_id', { status: 'reauth_error' }],
    ['a numeric status', { job_id: JOB_ID, status: 401 }],
  ])('ignores %s', (_what, value) => {
    expect(readFinchJob(value)).toBeUndefined();
  });
});

describe('classifyFinchJob', () => {
  it('reauth_error → needs_reauth, keeping the job status as the vendor code', () => {
    expect(classifyFinchJob({ jobId: JOB_ID, status: 'reauth_error', type: 'data_sync_all' })).toMatchObject({
      state: 'needs_reauth',
      fix: 'reenter_credentials',
      vendor: {
        status: 'reauth',
        code: 'reauth_error',
        message: `Finch data_sync_all job ${JOB_ID} ended in reauth_error.`,
      },
    });
  });

  it('permissions_error → needs_credentials (a manual job has no type)', () => {
    expect(classifyFinchJob({ jobId: JOB_ID, status: 'permissions_error' })).toMatchObject({
      state: 'needs_credentials',
      vendor: {
        status: 'error_permissions',
        code: 'permissions_error',
        message: `Finch job ${JOB_ID} ended in permissions_error.`,
      },
    });
  });

  it.each(['complete', 'error', 'pending', 'in_progress'])(
    '%s says nothing about the connection',
    (status) => {
      expect(classifyFinchJob({ jobId: JOB_ID, status })).toBeUndefined();
    },
  );
});

describe('parseFinchJobUrl', () => {
  it.each([
    [`https://api.tryfinch.com/jobs/automated/${JOB_ID}`, { kind: 'automated', jobId: JOB_ID }],
    [`http://127.0.0.1:4010/jobs/manual/${JOB_ID}/`, { kind: 'manual', jobId: JOB_ID }],
    [`https://api.tryfinch.com/jobs/automated/${JOB_ID}?x=1`, { kind: 'automated', jobId: JOB_ID }],
  ])('%s', (url, expected) => {
    expect(parseFinchJobUrl(url)).toEqual(expected);
  });

  it.each([
    'not a url',
    'https://api.tryfinch.com/employer/directory',
    `https://api.tryfinch.com/jobs/automated/${JOB_ID}/../../disconnect`,
    'https://api.tryfinch.com/jobs/automated/',
  ])('refuses %s', (url) => {
    expect(parseFinchJobUrl(url)).toBeUndefined();
  });
});

describe('parseFinchJobBody', () => {
  it('reads the fixture bodies of both job kinds', () => {
    expect(parseFinchJobBody('automated', fixture('payloads/finch/automated-job.reauth-error.json'))).toEqual(
      {
        jobId: JOB_ID,
        status: 'reauth_error',
        type: 'data_sync_all',
      },
    );
    expect(parseFinchJobBody('manual', fixture('payloads/finch/manual-job.complete.json'))).toMatchObject({
      status: 'complete',
      type: undefined,
    });
  });

  it('refuses a body of another shape with upstream_error', () => {
    let thrown: unknown;
    try {
      parseFinchJobBody('manual', { job_id: JOB_ID, status: 'reauth_error', body: null });
    } catch (error) {
      thrown = error;
    }
    expect(isReconnectKitError(thrown, 'upstream_error')).toBe(true);
  });
});
