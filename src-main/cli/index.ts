// `remaster <command>`: the same core services as the app, without a window.
import { parseCommandArgs, splitCommandLine, UsageError } from './args';
import { COMMANDS } from './commands';
import { setTerminalLogLevel } from '../core/log';
import { CliError, exitCodeFor, type CliContext, type CommandSpec } from './context';
import { dataDirProblem, defaultDataDir } from './data-dir';
import { commandHelp, commandsHelp, TOP_USAGE, usageLines } from './help';

const TOP_HINT = `${TOP_USAGE}\n       (remaster --help lists the commands)`;

/** The command the words name: `shots`, or `project` then a sub-command; the group's commands when incomplete. */
function findCommand(words: string[]): { spec?: CommandSpec; group: CommandSpec[]; used: number } {
  const one = COMMANDS.find((c) => c.name === words[0]);
  if (one) return { spec: one, group: [one], used: 1 };
  const group = COMMANDS.filter((c) => c.name.startsWith(`${words[0]} `));
  return { spec: group.find((c) => c.name === `${words[0]} ${words[1]}`), group, used: 2 };
}

/** The one place a failure becomes a line on stderr and an exit code. */
function report(prefix: string, e: unknown, usage?: string): 1 | 2 {
  const reason = e instanceof Error ? e.message : String(e);
  process.stderr.write(`${prefix}: ${reason}\n${e instanceof UsageError && usage ? `${usage}\n` : ''}`);
  return exitCodeFor(e);
}

export async function main(argv: string[]): Promise<number> {
  // Log lines go to the data folder's log only, so a failure prints the command's own one line, unless
  // --verbose (or REMASTER_VERBOSE) asks for them on the terminal too.
  setTerminalLogLevel(process.env.REMASTER_VERBOSE ? 'debug' : 'none');
  let line;
  try {
    line = splitCommandLine(argv);
  } catch (e) {
    return report('remaster', e, TOP_HINT);
  }
  if (line.verbose) setTerminalLogLevel('debug');
  if (line.command.length === 0 || line.command[0] === 'help') {
    // Asked for (--help, help): stdout and 0; a bare `remaster` is a usage error.
    const asked = line.help || line.command[0] === 'help';
    (asked ? process.stdout : process.stderr).write(commandsHelp(COMMANDS) + '\n');
    return asked ? 0 : 2;
  }
  const { spec, group, used } = findCommand(line.command);
  if (!spec) {
    const [name, sub] = line.command;
    if (group.length === 0) return report('remaster', new UsageError(`unknown command "${name}"`), TOP_HINT);
    if (line.help || sub === '--help' || sub === '-h') {
      process.stdout.write(commandsHelp(group) + '\n');
      return 0;
    }
    const problem = sub === undefined ? 'missing sub-command' : `unknown sub-command "${sub}"`;
    return report(`remaster ${name}`, new UsageError(problem), usageLines(group));
  }
  const prefix = `remaster ${spec.name}`;
  try {
    const input = parseCommandArgs(spec, line.command.slice(used));
    if (input.help || line.help) {
      process.stdout.write(commandHelp(spec) + '\n');
      return 0;
    }
    const dataDir = line.data ?? (process.env.REMASTER_DATA || defaultDataDir());
    const problem = dataDirProblem(
      dataDir,
      line.data ? '--data' : process.env.REMASTER_DATA ? 'REMASTER_DATA' : 'the data folder',
    );
    if (problem) throw new CliError(problem);
    const ctx: CliContext = {
      dataDir,
      progress: (m) => process.stderr.write(m + '\n'),
    };
    return await spec.run(input, ctx);
  } catch (e) {
    return report(prefix, e, usageLines([spec]));
  }
}
