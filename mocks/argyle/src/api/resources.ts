/**
 * The data resources an app reads after a connect: identities, employments, paystubs, payroll documents (and
 * their files), deposit destinations, gigs, shifts, vehicles and ratings. Filters as Argyle's v2 reference lists
 * them; gigs and shifts accept both the `*_start_datetime` names of the reference and `*_start_date`.
 */
import type { MockRequest, RouteDefinition } from '@reconnect-kit/mock-engine';
import type { PayrollDocumentWire } from '../domain/data-model.js';
import type { ArgyleState, StoredRow } from '../domain/state.js';
import type { ArgylePayrollDocument } from '../generated/payroll-document.js';
import { dataResource } from './data.js';
import { apiResource, notFound } from './http.js';
import { pdfFor } from './pdf.js';

const START_DATES = { from: ['from_start_date'], to: ['to_start_date'] };
const START_DATETIMES = {
  from: ['from_start_datetime', 'from_start_date'],
  to: ['to_start_datetime', 'to_start_date'],
};

function fileUrl(req: MockRequest, id: string): string {
  return `${req.baseUrl}/v2/payroll-documents/${id}/file`;
}

/** Key order of the reference: `file_url` after `document_type_description`. */
function payrollDocumentWire(row: StoredRow<PayrollDocumentWire>, req: MockRequest): ArgylePayrollDocument {
  const { created_at, updated_at, ocr_data, metadata, ...head } = row.wire;
  return { ...head, file_url: fileUrl(req, row.id), created_at, updated_at, ocr_data, metadata };
}

export const resourceRoutes: RouteDefinition<ArgyleState>[] = [
  ...dataResource({ path: '/v2/identities', store: (state) => state.data.identities }),
  ...dataResource({ path: '/v2/employments', store: (state) => state.data.employments }),
  ...dataResource({
    path: '/v2/paystubs',
    store: (state) => state.data.paystubs,
    byEmployment: true,
    dates: START_DATES,
  }),
  ...dataResource({
    path: '/v2/payroll-documents',
    store: (state) => state.data.payrollDocuments,
    byEmployment: true,
    dates: { from: ['from_available_date'], to: ['to_available_date'] },
    toWire: payrollDocumentWire,
  }),
  // `file_url` redirects to the download, which needs the same Basic auth (clients must follow redirects).
  ...apiResource('/v2/payroll-documents/:id/file', {
    GET(req, ctx) {
      const row = ctx.state.data.payrollDocuments.byId.get(req.params.id ?? '');
      if (!row) throw notFound();
      return { status: 302, headers: { location: `${fileUrl(req, row.id)}/download` }, body: '' };
    },
  }),
  ...apiResource('/v2/payroll-documents/:id/file/download', {
    GET(req, ctx) {
      const row = ctx.state.data.payrollDocuments.byId.get(req.params.id ?? '');
      if (!row) throw notFound();
      return {
        status: 200,
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="${row.id}.pdf"`,
        },
        body: pdfFor(
          `${row.wire.document_type_description ?? 'Payroll document'} ${row.wire.employer ?? ''} ${row.id}`,
        ),
      };
    },
  }),
  ...dataResource({ path: '/v2/deposit-destinations', store: (state) => state.data.depositDestinations }),
  ...dataResource({ path: '/v2/gigs', store: (state) => state.data.gigs, dates: START_DATETIMES }),
  ...dataResource({ path: '/v2/shifts', store: (state) => state.data.shifts, dates: START_DATETIMES }),
  ...dataResource({ path: '/v2/vehicles', store: (state) => state.data.vehicles }),
  ...dataResource({ path: '/v2/ratings', store: (state) => state.data.ratings }),
];
