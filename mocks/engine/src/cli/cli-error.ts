/** A CLI failure with its exit code: 2 for usage errors, 1 for anything else. */
export class CliError extends Error {
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const USAGE = `usage: reconnect-mock <provider> [--port N] [--host H] [--webhook-url URL] [--webhook-secret S]
                      [--definition FILE|PACKAGE]

  provider          argyle, finch, plaid, … (loads @reconnect-kit/mock-<provider>)
  --port N          port to listen on; 0 (default) picks a free port
  --host H          interface to bind; default 127.0.0.1
  --webhook-url     where webhook deliveries go from the start
  --webhook-secret  secret used to sign them (also the webhook_secret credential where the vendor has one)
  --definition      load the provider definition (its \`mockDefinition\` export) from this file or installed
                    package (e.g. @reconnect-kit/mock-argyle) instead

Prints one JSON line {"provider","url","credentials"} to stdout when ready; logs go to stderr.`;
