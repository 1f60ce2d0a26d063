#!/usr/bin/env node
import { CliError, USAGE } from './cli/cli-error.js';
import { loadProviderPackage } from './cli/load-provider.js';
import { runCli } from './cli/run-cli.js';

try {
  // Any provider with an installed (or, in this repository, a mocks/<provider>) @reconnect-kit/mock-<provider>.
  await runCli(loadProviderPackage, process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`reconnect-mock: ${error.message}\n${error.exitCode === 2 ? `${USAGE}\n` : ''}`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `reconnect-mock: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exitCode = 1;
  }
}
