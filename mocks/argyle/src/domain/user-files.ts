/**
 * What users hand in themselves instead of a payroll login: Link's response form (a user form, on an account of its
 * own) and uploaded documents (user uploads, all in the user's one document upload account, as Link 5.7 keeps them).
 */
import type { MockContext, QueuedWebhook } from '@reconnect-kit/mock-engine';
import { accountEvent } from './account-events.js';
import { createFilesAccount } from './accounts.js';
import {
  type AccountRecord,
  type ArgyleState,
  takeRowKey,
  type UserFormRecord,
  type UserUploadDocumentType,
  type UserUploadRecord,
} from './state.js';

type Ctx = MockContext<ArgyleState>;

export const USER_UPLOAD_DOCUMENT_TYPES: readonly UserUploadDocumentType[] = [
  'paystubs',
  'W-2',
  '1099',
  'proof-of-identity',
  'proof-of-address',
  'miscellaneous',
];

/** The response form submitted in Link: a new account named after the income source, holding the form. */
export function submitUserForm(
  ctx: Ctx,
  userId: string,
  answers: { incomeSource: string; payrollProvider: string | null },
): { form: UserFormRecord; webhooks: QueuedWebhook[] } {
  const { account, webhooks } = createFilesAccount(ctx, userId, 'user_forms', answers.incomeSource);
  const form: UserFormRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    accountId: account.id,
    userId,
    incomeSource: answers.incomeSource,
    payrollProvider: answers.payrollProvider,
    createdAt: account.createdAt,
  };
  ctx.state.userForms.set(form.id, form);
  return { form, webhooks };
}

export interface NewUpload {
  readonly documentType: UserUploadDocumentType;
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Uint8Array;
}

function uploadAccountOf(ctx: Ctx, userId: string): AccountRecord | undefined {
  for (const account of ctx.state.accounts.values()) {
    if (account.userId === userId && account.kind === 'user_uploads') return account;
  }
  return undefined;
}

/**
 * A document uploaded for the user: into their document upload account, created (`accounts.added` +
 * `accounts.connected`) with the first upload; a later upload updates it (`accounts.updated`).
 */
export function uploadDocument(
  ctx: Ctx,
  userId: string,
  upload: NewUpload,
): { upload: UserUploadRecord; webhooks: QueuedWebhook[] } {
  let account = uploadAccountOf(ctx, userId);
  let webhooks: QueuedWebhook[] | null = null;
  if (account === undefined) ({ account, webhooks } = createFilesAccount(ctx, userId, 'user_uploads', ''));
  const now = ctx.clock.now();
  const record: UserUploadRecord = {
    id: ctx.newId(),
    rowKey: takeRowKey(ctx.state),
    accountId: account.id,
    userId,
    ...upload,
    createdAt: now,
  };
  ctx.state.userUploads.set(record.id, record);
  if (webhooks !== null) return { upload: record, webhooks };
  account.updatedAt = now;
  return { upload: record, webhooks: accountEvent(ctx, 'accounts.updated', account) };
}
