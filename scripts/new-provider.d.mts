/** The names a template uses for a provider id (`acme-pay` → `AcmePay`, `acmePay`, `ACME_PAY`, `Acme Pay`). */
export function namesFor(id: string): { id: string; Id: string; camelId: string; ID: string; Name: string };
/** Map of repository-relative output path → file content for a provider id. */
export function renderProvider(id: string): Map<string, string>;
/** The top-level paths the scaffold creates (what to delete to undo it). */
export function createdRoots(id: string): string[];
