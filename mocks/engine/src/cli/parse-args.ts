import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

export interface CliOptions {
  provider: string;
  port: number;
  host: string;
  webhookUrl?: string;
  webhookSecret?: string;
  definition?: string;
  help: boolean;
}

const PROVIDER_NAME = /^[a-z][a-z0-9-]*$/;

/** Strict `node:util` parsing: an unknown flag or a bad value is a usage error (exit code 2). */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(argv);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return { provider: '', port: 0, host: '127.0.0.1', help: true };
  if (positionals.length !== 1) {
    throw new CliError(
      positionals.length === 0 ? 'missing <provider>' : `expected one provider, got ${positionals.join(' ')}`,
      2,
    );
  }
  const provider = positionals[0]!;
  if (!PROVIDER_NAME.test(provider)) throw new CliError(`invalid provider name "${provider}"`, 2);
  const options: CliOptions = {
    provider,
    port: parsePort(values.port),
    host: values.host ?? '127.0.0.1',
    help: false,
  };
  if (values['webhook-url'] !== undefined) options.webhookUrl = parseWebhookUrl(values['webhook-url']);
  if (values['webhook-secret'] !== undefined) options.webhookSecret = values['webhook-secret'];
  if (values.definition !== undefined) options.definition = values.definition;
  return options;
}

function parseWith(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      definition: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new CliError(`--port must be 0..65535, got "${value}"`, 2);
  return port;
}

function parseWebhookUrl(value: string): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliError(`--webhook-url must be an http(s) URL, got "${value}"`, 2);
  }
  return value;
}
