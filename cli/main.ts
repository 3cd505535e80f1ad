import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.js';
import { ExitCode, UsageError } from './exit-codes.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const EXIT_CODES_HELP = `
Exit codes:
  0  success (checks: no finding at or above --fail-on)
  1  findings at or above --fail-on, or the operation failed
  2  usage error, invalid spec or unreadable input`;

/** Builds the `ward` program with every registered command. Exported for tests. */
export function buildProgram(): Command {
  const program = new Command('ward')
    .description('Harden and audit Kubernetes deployments of registries holding personal data (OpenG2P).')
    .version(pkg.version)
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit with code 0; parse errors were already printed by commander.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`ward: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`ward: ${message}\n`);
    return ExitCode.Findings;
  }
}

process.exitCode = await main(process.argv);
