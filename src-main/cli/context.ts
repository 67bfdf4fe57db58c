import { ServiceError } from '../common/contract';

// What every `remaster` sub-command gets: parsed global options and a way to fail with the right exit code.
export interface CliContext {
  /** Library folder (`--data DIR`), default: the app's data folder. */
  dataDir: string;
  /** Write a progress line to stderr (commands print results on stdout). */
  progress(msg: string): void;
}

/** Exit codes: 0 ok, 2 bad input, 1 other failure. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** Exit code for a service's typed error: bad input and missing things are the user's to fix (2). */
export function exitCodeFor(e: unknown): 1 | 2 {
  if (e instanceof ServiceError) return ['bad_request', 'bad_input', 'not_found', 'conflict'].includes(e.code) ? 2 : 1;
  return 1;
}

export type CliCommand = (args: string[], ctx: CliContext) => Promise<number>;
