// `--help` text, made from the commands' descriptions: aligned columns, a command's full usage on demand.
import { GLOBAL_OPTIONS } from './args';
import type { CommandSpec, OptionSpec } from './context';

function optionUsage(name: string, o: OptionSpec): string {
  if (o.type === 'boolean') return `[--${name}]`;
  const option = `--${name} ${o.value ?? 'VALUE'}`;
  return o.required ? option : `[${option}]${o.multiple ? '...' : ''}`;
}

/** `remaster still IN OUT.tif [--scale 2|4] ...`: what the README's command table shows in its first column. */
export function usageLine(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([n, o]) => optionUsage(n, o));
  return ['remaster', spec.name, ...spec.args, ...options].join(' ');
}

/** The first line of the top-level help; what a command line that names no known command is answered with. */
export const TOP_USAGE = 'usage: remaster [--data DIR] [--verbose] COMMAND [ARGUMENTS] [options]';

/** What a usage error shows: the usage of each command it could have meant. */
export function usageLines(specs: readonly CommandSpec[]): string {
  return specs.map((s, i) => `${i === 0 ? 'usage: ' : '       '}${usageLine(s)}`).join('\n');
}

/** Rows of two columns, the second starting at one column for all of them. */
function columns(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}   ${right}`.trimEnd());
}

/** The list of commands (all, or one group's, such as `project`). */
export function commandsHelp(specs: readonly CommandSpec[]): string {
  const rows = specs.map((s): [string, string] => {
    const left = [s.name, ...s.args, ...(Object.keys(s.options).length ? ['[options]'] : [])].join(' ');
    return [left, s.summary];
  });
  return [
    TOP_USAGE,
    "       remaster COMMAND --help      (the command's options)",
    '',
    'commands:',
    ...columns(rows),
    '',
    'global options:',
    ...columns(Object.entries(GLOBAL_OPTIONS).map(([n, o]) => ['value' in o ? `--${n} ${o.value}` : `--${n}`, o.help])),
    '',
    'Exit codes: 0 ok, 2 bad input, 1 other failure.',
  ].join('\n');
}

/** One command: its usage, summary and options. */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([n, o]): [string, string] => [
    o.type === 'boolean' ? `--${n}` : `--${n} ${o.value ?? 'VALUE'}`,
    o.required ? `${o.help} (required)` : o.default === undefined ? o.help : `${o.help} (default: ${o.default})`,
  ]);
  rows.push(['-h, --help', 'this help']);
  return [`usage: ${usageLine(spec)}`, '', spec.summary, '', 'options:', ...columns(rows)].join('\n');
}
