import { CommanderError } from 'commander';
import { ExitCode, UsageError } from './exit-codes.js';
import { buildProgram } from './program.js';

async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv.slice(2));
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
    // WARD_DEBUG=1: the stack too (bin/ward.js maps it to the TypeScript sources).
    if (process.env.WARD_DEBUG === '1' && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return ExitCode.Findings;
  }
}

// A reader that stops early (`ward check big/ | head`) closes the pipe: exit quietly as a process
// killed by SIGPIPE would (128 + 13), not with a stack trace. The findings' exit code is lost with
// the output, so a pipeline under `set -o pipefail` still fails.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(ExitCode.BrokenPipe);
});

process.exitCode = await main(process.argv);
