import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import {
  type ArgyleHarness,
  BASIC_AUTH,
  createUser,
  elementText,
  startHarness,
} from '../argyle.test-helpers.js';
import { pdfFor } from './pdf.js';

const harness: ArgyleHarness = await startHarness();
afterAll(() => harness.close());
beforeEach(() => harness.reset());

function uploadForm(fields: Record<string, string>, file?: { name: string; bytes: Uint8Array }): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (file) form.set('upload', new Blob([Buffer.from(file.bytes)], { type: 'application/pdf' }), file.name);
  return form;
}

async function upload(fields: Record<string, string>, file?: { name: string; bytes: Uint8Array }) {
  return harness.api<Record<string, unknown>>('POST', '/v2/user-uploads', undefined, {
    body: uploadForm(fields, file),
  });
}

async function submitForm(userToken: string, answers: Record<string, string>) {
  const page = await harness.link('/link/user-form', { user_token: userToken, ...answers });
  return {
    ...page,
    accountId: elementText(page.html, 'account-id'),
    formId: elementText(page.html, 'user-form-id'),
  };
}

describe('user uploads', () => {
  test('an upload through the API lands in the user document upload account, and its file_url serves the bytes', async () => {
    const user = await createUser(harness);
    const bytes = pdfFor('May paystub');
    const first = await upload({ user: user.id, document_type: 'paystubs' }, { name: 'may.pdf', bytes });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      document_type: 'paystubs',
      file_name: 'may.pdf',
      processing: { classification: 'unauthorized', ocr: 'unauthorized', authenticity: 'unauthorized' },
    });
    const second = await upload({ user: user.id, document_type: 'W-2' }, { name: 'w2.pdf', bytes });
    // One document upload account per user holds every upload.
    expect(second.body.account).toBe(first.body.account);
    const account = await harness.api<Record<string, unknown>>('GET', `/v2/accounts/${first.body.account}`);
    expect(account.body).toMatchObject({
      employers: [],
      item: 'item_000000000',
      connection: { status: 'connected' },
      availability: {
        user_uploads: { status: 'synced', files_count: 2, in_progress_count: 0 },
        user_forms: null,
      },
    });
    const events = (await harness.takeWebhooks('/default')).map((webhook) => webhook.json.event);
    expect(events).toEqual(['accounts.added', 'accounts.connected', 'accounts.updated']);

    const redirect = await harness.api('GET', new URL(String(first.body.file_url)).pathname, undefined, {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const download = await fetch(redirect.headers.get('location')!, {
      headers: { authorization: BASIC_AUTH },
    });
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(Buffer.from(bytes));
  });

  test('lists filter by user, account and document_type; a retrieve finds one', async () => {
    const alice = await createUser(harness);
    const bob = await createUser(harness);
    const file = { name: 'id.pdf', bytes: pdfFor('ID') };
    const a1 = await upload({ user: alice.id, document_type: 'proof-of-identity' }, file);
    await upload({ user: alice.id, document_type: 'paystubs' }, file);
    await upload({ user: bob.id, document_type: 'paystubs' }, file);
    const ids = async (query: string) =>
      (await harness.api<{ results: { id: string }[] }>('GET', `/v2/user-uploads?${query}`)).body.results
        .length;
    expect(await ids(`user=${alice.id}`)).toBe(2);
    expect(await ids(`account=${a1.body.account}`)).toBe(2);
    expect(await ids('document_type=paystubs')).toBe(2);
    expect(await ids(`user=${alice.id}&document_type=proof-of-identity`)).toBe(1);
    expect((await harness.api('GET', `/v2/user-uploads/${a1.body.id}`)).body).toEqual(a1.body);
    expect((await harness.api('GET', '/v2/user-uploads?user=nope')).body).toEqual({
      user: ['Enter a valid UUID.'],
    });
  });

  test('a bad upload is a 400 naming every bad field and creates nothing', async () => {
    const user = await createUser(harness);
    const missing = await upload({ document_type: 'payslip' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      user: ['This field is required.'],
      document_type: ['"payslip" is not a valid choice.'],
      upload: ['No file was submitted.'],
    });
    const unknownUser = await upload(
      { user: '01900000-0000-7000-8000-000000000000', document_type: 'paystubs' },
      { name: 'a.pdf', bytes: pdfFor('a') },
    );
    expect(unknownUser.body).toEqual({
      user: ['Invalid pk "01900000-0000-7000-8000-000000000000" - object does not exist.'],
    });
    const empty = await upload(
      { user: user.id, document_type: 'paystubs' },
      { name: 'a.pdf', bytes: new Uint8Array() },
    );
    expect(empty.body).toEqual({ upload: ['The submitted file is empty.'] });
    const json = await harness.api('POST', '/v2/user-uploads', { user: user.id, document_type: 'paystubs' });
    expect(json.status).toBe(415);
    expect(json.body).toEqual({ detail: 'Unsupported media type "application/json" in request.' });
    const broken = await harness.api('POST', '/v2/user-uploads', undefined, {
      headers: { 'content-type': 'multipart/form-data; boundary=abc' },
      body: 'not a multipart body',
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ detail: 'Multipart form parse error - Invalid boundary in multipart.' });
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/user-uploads')).body.results).toEqual([]);
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/accounts')).body.results).toEqual([]);
  });

  test('deleting the account deletes its uploads', async () => {
    const user = await createUser(harness);
    const created = await upload(
      { user: user.id, document_type: 'paystubs' },
      { name: 'a.pdf', bytes: pdfFor('a') },
    );
    expect((await harness.api('DELETE', `/v2/accounts/${created.body.account}`)).status).toBe(204);
    expect((await harness.api('GET', `/v2/user-uploads/${created.body.id}`)).status).toBe(404);
    expect((await harness.api('GET', `${new URL(String(created.body.file_url)).pathname}`)).status).toBe(404);
  });
});

describe('user forms', () => {
  test('the Link response form creates an account named after the income source, holding the form', async () => {
    const user = await createUser(harness);
    const home = await harness.link(`/link?user_token=${user.userToken}`);
    expect(home.html).toContain('action="/link/user-form"');
    const submitted = await submitForm(user.userToken, {
      income_source: 'Block & Fish Tackle',
      payroll_provider: 'Payroll Corp.',
    });
    expect(submitted.status).toBe(200);
    const form = await harness.api<Record<string, unknown>>('GET', `/v2/user-forms/${submitted.formId}`);
    expect(form.body).toMatchObject({
      id: submitted.formId,
      account: submitted.accountId,
      data: { income_source: 'Block & Fish Tackle', payroll_provider: 'Payroll Corp.' },
    });
    const account = await harness.api<Record<string, unknown>>('GET', `/v2/accounts/${submitted.accountId}`);
    expect(account.body).toMatchObject({
      user: user.id,
      employers: ['Block & Fish Tackle'],
      availability: { user_forms: { status: 'synced', files_count: 1 }, user_uploads: null },
    });
    // The optional field stays out of `data` when left empty.
    const bare = await submitForm(user.userToken, { income_source: 'Corner Shop', payroll_provider: '' });
    expect((await harness.api('GET', `/v2/user-forms/${bare.formId}`)).body).toMatchObject({
      data: { income_source: 'Corner Shop' },
    });
    const list = await harness.api<{ results: { id: string }[] }>('GET', `/v2/user-forms?user=${user.id}`);
    expect(list.body.results.map((entry) => entry.id)).toEqual([submitted.formId, bare.formId]);
    const byAccount = await harness.api<{ results: { id: string }[] }>(
      'GET',
      `/v2/user-forms?account=${bare.accountId}`,
    );
    expect(byAccount.body.results.map((entry) => entry.id)).toEqual([bare.formId]);
  });

  test('a form without an income source is refused and creates nothing', async () => {
    const user = await createUser(harness);
    const refused = await submitForm(user.userToken, { income_source: '  ' });
    expect(refused.status).toBe(400);
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/user-forms')).body.results).toEqual([]);
    expect((await harness.api<{ results: unknown[] }>('GET', '/v2/accounts')).body.results).toEqual([]);
  });

  test('revoking the form account in Link deletes the form', async () => {
    const user = await createUser(harness);
    const submitted = await submitForm(user.userToken, { income_source: 'Corner Shop' });
    await harness.link('/link/revoke', { user_token: user.userToken, account_id: submitted.accountId! });
    expect((await harness.api('GET', `/v2/user-forms/${submitted.formId}`)).status).toBe(404);
  });
});
