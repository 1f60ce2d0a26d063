/**
 * `/v2/user-forms` (read only: forms are submitted in Link) and `/v2/user-uploads` (list, retrieve, upload through
 * the API as `multipart/form-data`, and the file behind `file_url`), per Argyle's v2 reference.
 */
import { MockHttpError, type MockRequest, type RouteDefinition } from '@reconnect-kit/mock-engine';
import type { ArgyleState, UserFormRecord, UserUploadRecord } from '../domain/state.js';
import { USER_UPLOAD_DOCUMENT_TYPES, uploadDocument } from '../domain/user-files.js';
import type { ArgyleUserForm } from '../generated/user-form.js';
import type { ArgyleUserUpload } from '../generated/user-upload.js';
import { checkUuidFilters } from './data.js';
import { type ArgyleContext, apiResource, jsonResponse, notFound } from './http.js';
import { pageResponse, readPageRequest } from './pagination.js';
import { FieldErrors, isUuid } from './validation.js';

function userFormWire(form: UserFormRecord): ArgyleUserForm {
  const created = form.createdAt.toISOString();
  const data: ArgyleUserForm['data'] = { income_source: form.incomeSource };
  if (form.payrollProvider !== null) data.payroll_provider = form.payrollProvider;
  return { id: form.id, account: form.accountId, data, created_at: created, updated_at: created };
}

function fileUrl(req: MockRequest, id: string): string {
  return `${req.baseUrl}/v2/user-uploads/${id}/file`;
}

function userUploadWire(upload: UserUploadRecord, req: MockRequest): ArgyleUserUpload {
  const created = upload.createdAt.toISOString();
  return {
    id: upload.id,
    account: upload.accountId,
    document_type: upload.documentType,
    file_url: fileUrl(req, upload.id),
    file_name: upload.fileName,
    metadata: { employment: null, ocr_data: null, ocr_authenticity: null, ocr_authenticity_score: null },
    // OCR is a separate Argyle (Ocrolus) product, not enabled for the mock's client.
    processing: { classification: 'unauthorized', ocr: 'unauthorized', authenticity: 'unauthorized' },
    created_at: created,
    updated_at: created,
  };
}

function findUpload(req: MockRequest, ctx: ArgyleContext): UserUploadRecord {
  const upload = ctx.state.userUploads.get(req.params.id ?? '');
  if (!upload) throw notFound();
  return upload;
}

/** Reads the `multipart/form-data` upload; DRF's messages for a body of another type or a missing part. */
async function readUpload(req: MockRequest, ctx: ArgyleContext) {
  const contentType = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new MockHttpError(415, {
      detail: `Unsupported media type "${contentType.split(';')[0] ?? ''}" in request.`,
    });
  }
  let form: FormData;
  try {
    form = await new Response(Buffer.from(req.rawBody), {
      headers: { 'content-type': contentType },
    }).formData();
  } catch {
    throw new MockHttpError(400, { detail: 'Multipart form parse error - Invalid boundary in multipart.' });
  }
  const errors = new FieldErrors();
  const user = form.get('user');
  if (typeof user !== 'string' || user === '') errors.add('user', 'This field is required.');
  else if (!isUuid(user)) errors.add('user', 'Must be a valid UUID.');
  else if (!ctx.state.users.has(user)) errors.add('user', `Invalid pk "${user}" - object does not exist.`);
  const documentType = form.get('document_type');
  if (typeof documentType !== 'string' || documentType === '') {
    errors.add('document_type', 'This field is required.');
  } else if (!(USER_UPLOAD_DOCUMENT_TYPES as readonly string[]).includes(documentType)) {
    errors.add('document_type', `"${documentType}" is not a valid choice.`);
  }
  const file = form.get('upload');
  if (!(file instanceof File)) {
    errors.add('upload', 'No file was submitted.');
  } else if (file.size === 0) {
    errors.add('upload', 'The submitted file is empty.');
  }
  errors.throwIfAny();
  const upload = file as File;
  return {
    userId: user as string,
    documentType: documentType as UserUploadRecord['documentType'],
    fileName: upload.name,
    contentType: upload.type || 'application/octet-stream',
    content: new Uint8Array(await upload.arrayBuffer()),
  };
}

export const userFileRoutes: RouteDefinition<ArgyleState>[] = [
  ...apiResource('/v2/user-forms', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['account', 'user']);
      const errors = new FieldErrors();
      checkUuidFilters(page, ['account', 'user'], errors);
      errors.throwIfAny();
      const account = page.filters.get('account');
      const user = page.filters.get('user');
      const forms = [...ctx.state.userForms.values()].filter(
        (form) =>
          (account === undefined || form.accountId === account) &&
          (user === undefined || form.userId === user),
      );
      return pageResponse(req, page, forms, userFormWire);
    },
  }),
  ...apiResource('/v2/user-forms/:id', {
    GET(req, ctx) {
      const form = ctx.state.userForms.get(req.params.id ?? '');
      if (!form) throw notFound();
      return jsonResponse(200, userFormWire(form));
    },
  }),
  ...apiResource('/v2/user-uploads', {
    GET(req, ctx) {
      const page = readPageRequest(req, ['account', 'user', 'document_type']);
      const errors = new FieldErrors();
      checkUuidFilters(page, ['account', 'user'], errors);
      errors.throwIfAny();
      const account = page.filters.get('account');
      const user = page.filters.get('user');
      const documentTypes = page.filters.get('document_type')?.split(',');
      const uploads = [...ctx.state.userUploads.values()].filter(
        (upload) =>
          (account === undefined || upload.accountId === account) &&
          (user === undefined || upload.userId === user) &&
          (documentTypes === undefined || documentTypes.includes(upload.documentType)),
      );
      return pageResponse(req, page, uploads, (upload) => userUploadWire(upload, req));
    },
    async POST(req, ctx) {
      const { userId, ...upload } = await readUpload(req, ctx);
      const { upload: record } = uploadDocument(ctx, userId, upload);
      return jsonResponse(200, userUploadWire(record, req));
    },
  }),
  ...apiResource('/v2/user-uploads/:id', {
    GET(req, ctx) {
      return jsonResponse(200, userUploadWire(findUpload(req, ctx), req));
    },
  }),
  // Like payroll documents: `file_url` redirects to the download, which needs the same Basic auth.
  ...apiResource('/v2/user-uploads/:id/file', {
    GET(req, ctx) {
      const upload = findUpload(req, ctx);
      return { status: 302, headers: { location: `${fileUrl(req, upload.id)}/download` }, body: '' };
    },
  }),
  ...apiResource('/v2/user-uploads/:id/file/download', {
    GET(req, ctx) {
      const upload = findUpload(req, ctx);
      return {
        status: 200,
        headers: {
          'content-type': upload.contentType,
          'content-disposition': `attachment; filename="${upload.fileName.replace(/["\\\r\n]/g, '_')}"`,
        },
        body: upload.content,
      };
    },
  }),
];
