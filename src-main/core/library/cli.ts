// Opening the library for a `remaster` command: quiet log (warnings on stderr, all in the data folder's log),
// typed service errors mapped to exit codes (2 bad input / not found, 1 otherwise).
import { join } from 'node:path';
import { ServiceError } from '../../common/contract';
import { EventHub } from '../events';
import { createLogger } from '../log';
import { openLibrary, type LibraryService } from './index';

export function openCliLibrary(dataDir: string, events = new EventHub()): LibraryService {
  const log = createLogger({ dir: join(dataDir, 'logs'), scope: 'cli', quiet: true });
  return openLibrary({ dataDir, log, events });
}

/** Exit code for an error thrown by a service: bad input and missing things are the user's to fix (2). */
export function exitCodeFor(e: unknown): 1 | 2 {
  if (e instanceof ServiceError) return ['bad_request', 'bad_input', 'not_found', 'conflict'].includes(e.code) ? 2 : 1;
  return 1;
}
