// Arguments, strictly: node:util's parseArgs with each command's description as its option table, and its
// errors reworded to one plain line ("unknown option --x", "missing argument NAME").
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, type CommandSpec, type OptionSpecs, type OptionValues } from './context';

/** A command line that does not fit the command's description: reported with the command's usage. */
export class UsageError extends CliError {}

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

const HELP: ParseOptions = { help: { type: 'boolean', short: 'h', default: false } };

/** The options that may come before the command. */
export const GLOBAL_OPTIONS = {
  data: {
    type: 'string',
    value: 'DIR',
    help: "the library folder (default: the app's data folder, shared with the app)",
  },
  verbose: {
    type: 'boolean',
    help: "the log's lines on the terminal too (otherwise only in the data folder's log)",
  },
} as const satisfies OptionSpecs;

function parseOptions(options: OptionSpecs): ParseOptions {
  const out: ParseOptions = { ...HELP };
  for (const [name, o] of Object.entries(options)) {
    // parseArgs validates `default` whenever the key exists, so it is set only when there is one.
    if (o.type === 'boolean') out[name] = { type: 'boolean', default: false };
    else if (o.multiple) out[name] = { type: 'string', multiple: true, default: o.default ? [o.default] : [] };
    else out[name] = o.default === undefined ? { type: 'string' } : { type: 'string', default: o.default };
  }
  return out;
}

function strict(args: string[], options: OptionSpecs, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options: parseOptions(options), strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError(reword(e, options));
  }
}

function reword(e: unknown, options: OptionSpecs): string {
  const err = e as { code?: string; message?: string };
  const flag = /'(-[^' ]+)/.exec(err.message ?? '')?.[1] ?? '';
  const spec = options[flag.replace(/^--?/, '')];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const global = options !== GLOBAL_OPTIONS && flag.replace(/^--/, '') in GLOBAL_OPTIONS;
    return `unknown option ${flag}${global ? ` (a global option: put it before the command)` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return spec?.type === 'string' ? `${flag} needs a value (${spec.value ?? 'VALUE'})` : `${flag} takes no value`;
  }
  return err.message ?? String(e);
}

/** Splits `[--data DIR] [--help] COMMAND ...` into the global options and the command with its arguments. */
export function splitCommandLine(argv: string[]): {
  data?: string;
  verbose: boolean;
  help: boolean;
  command: string[];
} {
  // A lenient first pass only finds where the command starts; the options before it are then parsed strictly.
  const { tokens } = parseArgs({
    args: argv,
    options: parseOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  const end = first?.index ?? argv.length;
  const { values } = strict(argv.slice(0, end), GLOBAL_OPTIONS, false);
  const command = argv.slice(first?.kind === 'option-terminator' ? end + 1 : end);
  return {
    data: values.data as string | undefined,
    verbose: values.verbose === true,
    help: values.help === true,
    command,
  };
}

/** A command's arguments against its description; `help` when `--help` was asked for. */
export function parseCommandArgs<O extends OptionSpecs>(
  spec: CommandSpec<O>,
  argv: string[],
): { help: boolean; args: string[]; options: OptionValues<O> } {
  const { values, positionals } = strict(argv, spec.options, true);
  const { help, ...options } = values;
  if (help !== true) {
    const variadic = spec.args.at(-1)?.endsWith('...') ?? false;
    if (positionals.length < spec.args.length) {
      throw new UsageError(`missing argument ${spec.args[positionals.length]}`);
    }
    if (!variadic && positionals.length > spec.args.length) {
      throw new UsageError(`unexpected argument "${positionals[spec.args.length]}" (quote a name that has spaces)`);
    }
    for (const [name, o] of Object.entries(spec.options)) {
      if (o.required && options[name] === undefined)
        throw new UsageError(`missing option --${name} ${o.value ?? 'VALUE'}`);
    }
  }
  // parseArgs filled every option from the same description, so the values have the described types.
  return { help: help === true, args: positionals, options: options as OptionValues<O> };
}
