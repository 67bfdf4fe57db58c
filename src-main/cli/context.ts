import { ServiceError } from '../common/contract';

// What a `remaster` command is: one description (name, arguments, options, summary) that `--help`, the
// argument parser and the README's command table all read, and the code that runs it.

/** What every command gets besides its arguments. */
export interface CliContext {
  /** Library folder (`--data DIR`), default: the app's data folder. */
  dataDir: string;
  /** Write a progress line to stderr (commands print results on stdout). */
  progress(msg: string): void;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** A string option's value as the usage line shows it: `N`, `2|4`. */
  value?: string;
  default?: string;
  /** May be given more than once (its values arrive as a list). */
  multiple?: boolean;
  /** Must be given (a string option without a default): the usage shows it unbracketed, the parser insists. */
  required?: boolean;
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Parsed option values, typed from the description: booleans, lists, strings (required, defaulted or optional). */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]: O[K]['type'] extends 'boolean'
    ? boolean
    : O[K]['multiple'] extends true
      ? string[]
      : O[K]['default'] extends string
        ? string
        : O[K]['required'] extends true
          ? string
          : string | undefined;
};

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** As typed: `shots`, or `project rename` for a sub-command. */
  name: string;
  /** Positional arguments in order; a last one ending in `...` takes one or more. */
  args: readonly string[];
  /** One line, plain text: `--help` and the README's table show it as written. */
  summary: string;
  options: O;
  /** Exit code: 0 ok, 2 bad input, 1 other failure; -1 keeps the process running (`serve`). */
  run(input: { args: string[]; options: OptionValues<O> }, ctx: CliContext): Promise<number>;
}

/** Keeps each command's option types for its `run`; the list of all commands holds them erased. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec {
  return spec as unknown as CommandSpec;
}

/** A failure with its exit code: 2 bad input (the default), 1 anything else. */
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
  if (e instanceof CliError) return e.exitCode;
  if (e instanceof ServiceError) return ['bad_request', 'bad_input', 'not_found', 'conflict'].includes(e.code) ? 2 : 1;
  return 1;
}
