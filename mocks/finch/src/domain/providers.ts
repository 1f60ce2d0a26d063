/** Payroll providers the sandbox offers (ids as Finch spells them; `gusto` is the one Finch's own examples use). */
export const SANDBOX_PROVIDERS = [
  { id: 'gusto', displayName: 'Gusto' },
  { id: 'adp_run', displayName: 'ADP RUN' },
  { id: 'adp_workforce_now', displayName: 'ADP Workforce Now' },
  { id: 'bamboo_hr', displayName: 'BambooHR' },
  { id: 'justworks', displayName: 'Justworks' },
  { id: 'paychex_flex', displayName: 'Paychex Flex' },
  { id: 'paycom', displayName: 'Paycom' },
  { id: 'paylocity', displayName: 'Paylocity' },
  { id: 'quickbooks', displayName: 'QuickBooks Payroll' },
  { id: 'rippling', displayName: 'Rippling' },
  { id: 'trinet', displayName: 'TriNet' },
  { id: 'workday', displayName: 'Workday' },
] as const;

export function findProvider(id: string | null | undefined) {
  return SANDBOX_PROVIDERS.find((p) => p.id === id);
}

export const PROVIDER_IDS = SANDBOX_PROVIDERS.map((p) => p.id);
