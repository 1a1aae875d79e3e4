/** Exit codes of SPEC §7. */
export enum ExitCode {
  Ok = 0,
  NoInput = 1,
  Usage = 2,
}

/** A usage error: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One `trail-insight <name>` subcommand. */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  run(argv: string[]): Promise<ExitCode>;
}
