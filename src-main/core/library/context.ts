// What every part of the library shares: the database and its guarded transactions, the caches, media, jobs
// and the change events.
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError } from '../../common/contract';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import type { MediaService } from '../media';
import { dbError, type Db, type OpenedDb } from './db';
import type { JobManager } from './jobs';
import type { MediaRoots } from './roots';

export type ChangedWhat = 'projects' | 'clips' | 'shots' | 'grades' | 'jobs';

export class LibraryContext {
  readonly db: Db;
  readonly file: string;
  readonly readOnly: boolean;
  private closed = false;

  constructor(
    opened: OpenedDb,
    readonly cacheRoot: string,
    readonly media: MediaService,
    readonly roots: MediaRoots,
    readonly jobs: JobManager,
    readonly events: EventHub,
    readonly log: Logger,
    private readonly restrictToRoots: boolean,
  ) {
    this.db = opened.db;
    this.file = opened.file;
    this.readOnly = opened.readOnly;
  }

  /** Every change goes through here: one transaction, SQLite errors turned into readable typed ones. */
  write<T>(fn: () => T): T {
    if (this.closed) throw new ServiceError('internal', 'The library is closed');
    if (this.readOnly) throw new ServiceError('io', `Library ${this.file} is read-only: the change was not saved.`);
    try {
      // IMMEDIATE: the write lock is taken at BEGIN, where SQLite waits out the busy timeout for another process's
      // write. A deferred transaction that reads first and then writes gets SQLITE_BUSY at once (no waiting)
      // when another process committed in between: two CLI commands at once failed with "locked".
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw dbError(e, this.file);
    }
  }

  read<T>(fn: () => T): T {
    if (this.closed) throw new ServiceError('internal', 'The library is closed');
    try {
      return fn();
    } catch (e) {
      throw dbError(e, this.file);
    }
  }

  changed(projectId: string | null, what?: ChangedWhat): void {
    try {
      this.events.emit('library.changed', what ? { projectId, what } : { projectId });
    } catch (e) {
      this.log.warn('library.changed listener failed', e);
    }
  }

  /** A path a caller sent: its real path inside the media roots where the host requires it, else as given. */
  callerPath(p: string): string {
    return this.restrictToRoots ? this.roots.resolve(p) : p;
  }

  /**
   * Where a caller asks us to write (an export): its folder's real path inside the media roots where the host
   * requires it, else as given. Checked before anything else looks at the path (existence, writability).
   */
  callerOutputPath(p: string): string {
    const file = resolve(p);
    return this.restrictToRoots ? join(this.roots.resolve(dirname(file)), basename(file)) : file;
  }

  projectCache(projectId: string): string {
    return join(this.cacheRoot, projectId);
  }

  clipCache(projectId: string, clipId: string): string {
    return join(this.cacheRoot, projectId, clipId);
  }

  proxyDir(projectId: string, clipId: string): string {
    return join(this.clipCache(projectId, clipId), 'proxy');
  }

  close(): void {
    if (this.closed) return;
    this.jobs.interruptAll();
    this.closed = true;
    try {
      if (!this.readOnly) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      /* best effort */
    }
    this.db.close();
  }
}

export const now = (): string => new Date().toISOString();
