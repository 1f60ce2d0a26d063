import { startMockServer } from '../server.js';
import { CliError, USAGE } from './cli-error.js';
import { type AnyMockProviderDefinition, loadDefinitionModule } from './load-provider.js';
import { parseCliArgs } from './parse-args.js';

/** A definition, or a loader for it (so only the requested provider's package is imported). */
export type DefinitionSource = AnyMockProviderDefinition | (() => Promise<AnyMockProviderDefinition>);

/** Definitions by provider name, or one loader that finds any provider by name (`loadProviderPackage`). */
export type DefinitionRegistry =
  | Record<string, DefinitionSource>
  | ((provider: string) => Promise<AnyMockProviderDefinition>);

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Resolves when the server should stop. Default: the first SIGINT or SIGTERM. */
  stopSignal: () => Promise<unknown>;
}

const defaultIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopSignal: () =>
    new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }),
};

/**
 * `reconnect-mock <provider> [--port N] [--host H] [--webhook-url URL] [--webhook-secret S] [--definition MODULE]`:
 * starts the mock, prints exactly one JSON line `{"provider","url","credentials"}` to stdout, logs to stderr, and
 * resolves once the server has closed after a stop signal. Throws `CliError` (exit code 2 for usage errors).
 */
export async function runCli(
  definitions: DefinitionRegistry,
  argv: readonly string[],
  io: Partial<CliIo> = {},
): Promise<void> {
  const { stdout, stderr, env, stopSignal } = { ...defaultIo, ...io };
  const options = parseCliArgs(argv);
  if (options.help) {
    stdout.write(`${USAGE}\n`);
    return;
  }
  const definition = options.definition
    ? await loadDefinitionModule(options.definition)
    : await resolveDefinition(definitions, options.provider);
  if (definition.id !== options.provider) {
    throw new CliError(`the definition is for provider "${definition.id}", not "${options.provider}"`, 2);
  }
  const log = (line: string) => stderr.write(`[${definition.id}-mock] ${line}\n`);
  const stopped = stopSignal();
  const server = await startMockServer(definition, {
    port: options.port,
    host: options.host,
    webhookUrl: options.webhookUrl,
    webhookSecret: options.webhookSecret,
    env,
    log,
  }).catch((error: unknown) => {
    throw new CliError(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
  });
  const credentials = server.instance.ctx.config.credentials;
  stdout.write(`${JSON.stringify({ provider: definition.id, url: server.url, credentials })}\n`);
  const cpu = process.cpuUsage();
  log(
    `listening on ${server.url} (admin API: ${server.url}/__admin); ready ${Math.round(performance.now())} ms ` +
      `after process start, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU`,
  );
  await stopped;
  log('stopping');
  await server.close();
}

async function resolveDefinition(
  definitions: DefinitionRegistry,
  provider: string,
): Promise<AnyMockProviderDefinition> {
  if (typeof definitions === 'function') return definitions(provider);
  const source = Object.hasOwn(definitions, provider) ? definitions[provider] : undefined;
  if (source === undefined) {
    const known = Object.keys(definitions).join(', ');
    throw new CliError(`unknown provider "${provider}" (known: ${known}; or pass --definition <module>)`, 2);
  }
  return typeof source === 'function' ? source() : source;
}
