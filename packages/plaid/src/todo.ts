/** Marks what is left to write: every unimplemented method throws this, naming itself, so nothing passes silently. */
export function todo(what: string): never {
  throw new Error(`TODO(plaid): implement ${what}`);
}
