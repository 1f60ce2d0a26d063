/** `/institutions/get_by_id` and `/webhook_verification_key/get`. */
import type { RouteDefinition } from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import { findInstitution } from '../domain/institutions.js';
import type { PlaidMockState } from '../domain/state.js';
import { apiBody, ok } from '../http/api.js';
import { plaidError } from '../http/plaid-errors.js';
import type { WebhookKeyRing } from '../webhooks.js';

export function institutionRoutes(keys: WebhookKeyRing): RouteDefinition<PlaidMockState>[] {
  return [
    {
      method: 'POST',
      path: '/institutions/get_by_id',
      handler(req, ctx) {
        const body = apiBody(
          req,
          ctx,
          z.object({
            institution_id: z.string().min(1),
            country_codes: z.array(z.string().length(2)).min(1),
          }),
        );
        const institution = findInstitution(body.institution_id);
        if (!institution) throw plaidError('INVALID_INSTITUTION');
        return ok({
          institution: {
            institution_id: institution.institution_id,
            name: institution.name,
            products: institution.products,
            country_codes: ['US'],
            url: institution.url,
            primary_color: null,
            logo: null,
            routing_numbers: [],
            dtc_numbers: [],
            oauth: false,
            status: null,
          },
        });
      },
    },
    {
      method: 'POST',
      path: '/webhook_verification_key/get',
      handler(req, ctx) {
        const { key_id } = apiBody(req, ctx, z.object({ key_id: z.string().min(1) }));
        const key = keys.jwk(key_id);
        if (!key) throw plaidError('INVALID_WEBHOOK_VERIFICATION_KEY_ID');
        return ok({ key });
      },
    },
  ];
}
