import { Command, Help } from 'commander';
import { commandFor, commands } from './commands/index.js';
import { VERSION } from '../policies/load/root.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success (checks: no finding at or above --fail-on)
  1  findings at or above --fail-on, or the operation failed
  2  usage error, invalid spec or unreadable input
141  stdout closed by its reader (e.g. | head), as on SIGPIPE`;

/**
 * Builds the `ward` program. Only the command that `args` run is loaded and registered with its
 * options (`all` loads every command, for tests); the others are listed by name and summary, so
 * `ward --help` and `ward --version` start without loading any command's modules.
 */
export async function buildProgram(args: readonly string[], all = false): Promise<Command> {
  const program = new Command('ward')
    .description('Harden and audit Kubernetes deployments of registries holding personal data (OpenG2P).')
    .version(VERSION)
    .showHelpAfterError('(add --help for the options and examples)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  const wanted = commandFor(args);
  const stubTerms = new Map<Command, string>();
  for (const entry of commands) {
    if (all || entry === wanted) {
      (await entry.load())(program);
      continue;
    }
    const stub = program.command(entry.name).description(entry.summary);
    for (const alias of entry.aliases) stub.alias(alias);
    stubTerms.set(stub, [[entry.name, ...entry.aliases].join('|'), entry.term].filter(Boolean).join(' '));
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => stubTerms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}
