// One log for the whole main side: stderr plus a file in the data folder, so a colorist can send it to us.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeToTerminal } from '../node/terminal';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, detail?: unknown): void;
  info(msg: string, detail?: unknown): void;
  warn(msg: string, detail?: unknown): void;
  error(msg: string, detail?: unknown): void;
  child(scope: string): Logger;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The least level a log line needs to reach the terminal, process-wide; null: each logger decides (`quiet`). */
let terminalFrom: LogLevel | 'none' | null = null;

/**
 * Where log lines show for this process: the CLI keeps them off the terminal ('none') unless --verbose, since a
 * command says what went wrong in its own words; they still go to the log file.
 */
export function setTerminalLogLevel(level: LogLevel | 'none' | null): void {
  terminalFrom = level;
}

export function createLogger(opts: { dir?: string; scope?: string; level?: LogLevel; quiet?: boolean } = {}): Logger {
  let file = opts.dir ? join(opts.dir, 'remaster.log') : null;
  try {
    if (opts.dir) mkdirSync(opts.dir, { recursive: true });
  } catch {
    file = null; // an unwritable data folder must not stop the command; the terminal can still have the lines
  }
  const min = order[opts.level ?? (process.env.REMASTER_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? 1;
  const make = (scope: string): Logger => {
    const write = (level: LogLevel, msg: string, detail?: unknown): void => {
      if (order[level] < min) return;
      const extra = detail === undefined ? '' : ' ' + safeJson(detail);
      const line = `${new Date().toISOString()} ${level.toUpperCase()} [${scope}] ${msg}${extra}`;
      const from = terminalFrom ?? (opts.quiet ? 'warn' : 'debug');
      if (from !== 'none' && order[level] >= order[from]) writeToTerminal(line + '\n');
      if (file) {
        try {
          appendFileSync(file, line + '\n');
        } catch {
          // A full or read-only disk must not take the app down with it; stderr still has the line.
        }
      }
    };
    return {
      debug: (m, d) => write('debug', m, d),
      info: (m, d) => write('info', m, d),
      warn: (m, d) => write('warn', m, d),
      error: (m, d) => write('error', m, d),
      child: (s) => make(`${scope}/${s}`),
    };
  };
  return make(opts.scope ?? 'main');
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return JSON.stringify({ name: v.name, message: v.message });
  try {
    const s = JSON.stringify(v);
    return s.length > 2000 ? s.slice(0, 2000) + '…' : s;
  } catch {
    return String(v);
  }
}
