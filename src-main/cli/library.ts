// The one way a `remaster` command uses the library: open it (quiet log: warnings on stderr, everything in the
// data folder's log), run, close. Errors go up to `main`, which reports them once. The command line is the
// user's own: its paths are not confined to media roots as a remote browser's are.
import { join } from 'node:path';
import { EventHub } from '../core/events';
import type { Library } from '../core/library';
import { createLogger } from '../core/log';
import type { CliContext } from './context';

export async function withLibrary<T>(
  ctx: CliContext,
  run: (lib: Library) => Promise<T> | T,
  events = new EventHub(),
): Promise<T> {
  // Loaded here, not at the top: `--help` and the commands without a library never load SQLite.
  const { openLibrary } = await import('../core/library');
  const log = createLogger({ dir: join(ctx.dataDir, 'logs'), scope: 'cli', quiet: true });
  const lib = openLibrary({ dataDir: ctx.dataDir, log, events, restrictToRoots: false });
  try {
    return await run(lib);
  } finally {
    lib.close();
  }
}
