// Opening the library for a `remaster` command: quiet log (warnings on stderr, all in the data folder's log).
import { join } from 'node:path';
import { EventHub } from '../events';
import { createLogger } from '../log';
import { openLibrary, type LibraryService } from './index';

export function openCliLibrary(dataDir: string, events = new EventHub()): LibraryService {
  const log = createLogger({ dir: join(dataDir, 'logs'), scope: 'cli', quiet: true });
  return openLibrary({ dataDir, log, events });
}
