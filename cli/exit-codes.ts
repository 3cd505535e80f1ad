/** Exit codes shared by every `ward` command (documented in the README and in `--help`). */
export const ExitCode = {
  /** Success; for checks: nothing at or above the failure threshold. */
  Ok: 0,
  /** Findings at or above `--fail-on` (checks), or a failed operation. */
  Findings: 1,
  /** Usage error, invalid spec or unreadable input. */
  Usage: 2,
  /** stdout was closed by its reader (`| head`): as a process killed by SIGPIPE (128 + 13). */
  BrokenPipe: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can fix: printed as one clear message, exit code 2, no stack trace. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Usage,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
