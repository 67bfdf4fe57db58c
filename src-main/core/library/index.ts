// The project library service: projects, clips, shots, grade history and jobs in one SQLite database,
// plus the media work of importing (probe, fingerprint, shot detection, proxies) as cancellable jobs.
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  ServiceError,
  type BrowseResult,
  type Clip,
  type ClipOptions,
  type GradeParams,
  type GradeParamsInput,
  GradeParams as GradeParamsSchema,
  type GradeState,
  type Job,
  type LibraryStatus,
  type libraryMethods,
  type ProbeResult,
  type ProjectDetail,
  type ProjectSummary,
  type Shot,
} from '../../common/contract';
import type { Handler } from '../dispatch';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import { createMediaService, type MediaInput, type MediaService, type RgbFrame } from '../media';
import { ShotDetector, shotsFromCuts } from '../media/scenes';
import { dbError, openDatabase, type Db } from './db';
import { JobManager, type RunningJob } from './jobs';
import { defaultMediaRoots, MediaRoots, MEDIA_EXTENSIONS } from './roots';
import { formatTimecode } from './timecode';

export { ensureDemoProject, demoClipPath } from './demo';

export interface ImportOptions {
  detectShots?: boolean;
  proxies?: boolean;
  /** Known cut frames (first frames of shots) per file, instead of detection (the demo uses this). */
  knownCuts?: Record<string, number[]>;
}

export interface ImportResult {
  clips: Clip[];
  failures: { file: string; code: string; message: string }[];
}

export interface LibraryService {
  readonly dataDir: string;
  readonly media: MediaService;
  readonly roots: MediaRoots;
  readonly log: Logger;
  status(): LibraryStatus;
  listProjects(): ProjectSummary[];
  recentProjects(limit?: number): ProjectSummary[];
  createProject(name: string, opts?: { isDemo?: boolean }): ProjectSummary;
  /** By id, or by exact name (for the CLI). */
  findProject(idOrName: string): ProjectSummary;
  getProject(projectId: string): ProjectDetail;
  renameProject(projectId: string, name: string): ProjectSummary;
  duplicateProject(projectId: string, name?: string): ProjectSummary;
  deleteProject(projectId: string): boolean;
  /** Starts an import job; `done` settles when it finishes (rejects on cancel or total failure). */
  importClips(projectId: string, files: string[], opts?: ImportOptions): { jobId: string; done: Promise<ImportResult> };
  listClips(projectId: string): Clip[];
  getClip(clipId: string): Clip;
  checkMedia(projectId: string): Clip[];
  relinkClip(clipId: string, path: string): Clip;
  /**
   * Accepts new content at a clip's own path (a re-export of the same shot): re-probes, keeps the shots
   * that still fit, trims the one that runs past the new end, and rebuilds the proxies.
   */
  acceptChangedMedia(clipId: string): Promise<Clip>;
  relinkSearch(projectId: string, folder: string): { relinked: Clip[]; stillMissing: number };
  setClipOptions(clipId: string, options: Partial<ClipOptions>): Clip;
  removeClip(clipId: string): boolean;
  listShots(projectId: string): Shot[];
  splitShot(shotId: string, frame: number): Shot[];
  mergeShots(shotIds: string[]): Shot[];
  reorderShots(projectId: string, shotIds: string[]): Shot[];
  getGrade(shotId: string): GradeState;
  /** Missing parameters take their defaults; out-of-range values are refused. */
  setGrade(shotId: string, params: GradeParamsInput): GradeState;
  undoGrade(shotId: string): GradeState;
  redoGrade(shotId: string): GradeState;
  copyGrade(fromShotId: string, toShotIds: string[]): GradeState[];
  /** How to decode a clip (file, probe, options) for core modules (render, preview). */
  mediaInput(clipId: string): MediaInput;
  decodeFrame(clipId: string, frame: number, opts?: { width?: number; signal?: AbortSignal }): Promise<RgbFrame>;
  thumbnailPath(shotId: string): string | null;
  proxyFrame(clipId: string, frame: number): { path: string | null; width: number; height: number };
  /** Rebuild a clip's scrub proxies in the background (e.g. after its source changed). */
  rebuildProxies(clipId: string): { jobId: string; done: Promise<void> };
  browse(path?: string): BrowseResult;
  listJobs(projectId?: string, activeOnly?: boolean): Job[];
  getJob(jobId: string): Job;
  cancelJob(jobId: string): Job;
  /** For other engineers' tables (renders, exports): the raw database. */
  readonly db: Db;
  close(): void;
}

export interface OpenLibraryOptions {
  dataDir: string;
  log: Logger;
  events: EventHub;
  /** Folders the headless file browser may show (default: home and the app's assets). */
  mediaRoots?: string[];
  media?: MediaService;
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

const now = (): string => new Date().toISOString();
const DEFAULT_OPTIONS: ClipOptions = { deinterlace: 'auto', squarePixels: true };
const PROXY_HEIGHT = 216; // 384x216 for 16:9, ~15 KB a frame

interface ProjectRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  last_opened_at: string | null;
  is_demo: number;
  clip_count: number;
  shot_count: number;
}
interface ClipRow {
  id: string;
  project_id: string;
  path: string;
  size: number;
  mtime_ms: number;
  fingerprint: string;
  probe_json: string;
  imported_at: string;
  options_json: string;
  proxy_state: string;
}
interface ShotRow {
  id: string;
  project_id: string;
  clip_id: string;
  first_frame: number;
  last_frame: number;
  ord: number;
  grade_version: number;
}

export function openLibrary(opts: OpenLibraryOptions): LibraryService {
  const log = opts.log;
  const { dataDir, events } = opts;
  const opened = openDatabase({ dataDir, log, busyTimeoutMs: opts.busyTimeoutMs, readOnly: opts.readOnly });
  const db = opened.db;
  const file = opened.file;
  const cacheRoot = join(dataDir, 'cache');
  const media = opts.media ?? createMediaService({ log, cacheDir: cacheRoot });
  const roots = new MediaRoots(opts.mediaRoots ?? defaultMediaRoots());
  const jobs = new JobManager(db, events, log, opened.readOnly);
  let closed = false;
  if (!opened.readOnly && !jobs.othersRunning()) {
    recoverInterruptedImports();
    removeDeletedProjectCaches();
  }

  /** A project deleted while its jobs still ran, just before Remaster quit, can leave its cache folder behind. */
  function removeDeletedProjectCaches(): void {
    try {
      const known = new Set((db.prepare('SELECT id FROM projects').all() as { id: string }[]).map((r) => r.id));
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
      for (const name of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
        if (uuid.test(name) && !known.has(name)) rmSync(join(cacheRoot, name), { recursive: true, force: true });
      }
    } catch (e) {
      log.warn('could not tidy the cache folder', e);
    }
  }

  /**
   * An import that never finished (Remaster quit or crashed mid-way) leaves a clip without shots: remove it
   * and its partial cache so the file can be imported again. Proxy builds that were cut short are marked failed.
   */
  function recoverInterruptedImports(): void {
    try {
      const orphans = db.prepare('SELECT id, project_id, path FROM clips c WHERE NOT EXISTS (SELECT 1 FROM shots s WHERE s.clip_id = c.id)').all() as { id: string; project_id: string; path: string }[];
      for (const o of orphans) {
        db.prepare('DELETE FROM clips WHERE id = ?').run(o.id);
        rmSync(join(cacheRoot, o.project_id, o.id), { recursive: true, force: true });
        log.warn(`removed ${basename(o.path)}: its import was interrupted; import it again`);
      }
      db.prepare("UPDATE clips SET proxy_state = 'failed' WHERE proxy_state = 'building'").run();
    } catch (e) {
      log.warn('could not tidy interrupted imports', e);
    }
  }

  const emitChanged = (projectId: string | null, what?: 'projects' | 'clips' | 'shots' | 'grades' | 'jobs'): void => {
    try {
      events.emit('library.changed', what ? { projectId, what } : { projectId });
    } catch (e) {
      log.warn('library.changed listener failed', e);
    }
  };

  /** Every change goes through here: one transaction, SQLite errors turned into readable typed ones. */
  function write<T>(fn: () => T): T {
    if (closed) throw new ServiceError('internal', 'The library is closed');
    if (opened.readOnly) throw new ServiceError('io', `Library ${file} is read-only: the change was not saved.`);
    try {
      return db.transaction(fn)();
    } catch (e) {
      throw dbError(e, file);
    }
  }
  function read<T>(fn: () => T): T {
    if (closed) throw new ServiceError('internal', 'The library is closed');
    try {
      return fn();
    } catch (e) {
      throw dbError(e, file);
    }
  }

  const projectSql = `SELECT p.*, (SELECT COUNT(*) FROM clips c WHERE c.project_id = p.id) AS clip_count,
    (SELECT COUNT(*) FROM shots s WHERE s.project_id = p.id) AS shot_count FROM projects p`;
  const toProject = (r: ProjectRow): ProjectSummary => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastOpenedAt: r.last_opened_at,
    clipCount: r.clip_count,
    shotCount: r.shot_count,
    isDemo: r.is_demo === 1,
  });
  function projectRow(id: string): ProjectRow {
    const r = db.prepare(`${projectSql} WHERE p.id = ?`).get(id) as ProjectRow | undefined;
    if (!r) throw new ServiceError('not_found', `No project with id ${id}`);
    return r;
  }
  const touch = (projectId: string): void => {
    db.prepare('UPDATE projects SET updated_at = ? WHERE id = ?').run(now(), projectId);
  };

  function clipStatus(r: ClipRow): Clip['status'] {
    try {
      const st = statSync(r.path);
      if (!st.isFile()) return 'missing';
      return st.size === r.size && Math.abs(st.mtimeMs - r.mtime_ms) < 1 ? 'ok' : 'changed';
    } catch {
      return 'missing';
    }
  }
  function toClip(r: ClipRow): Clip {
    // The full ffprobe JSON stays in the database; responses carry the normalised probe only.
    const { raw: _raw, ...probe } = JSON.parse(r.probe_json) as ProbeResult;
    const options = { ...DEFAULT_OPTIONS, ...(JSON.parse(r.options_json) as Partial<ClipOptions>) };
    return {
      id: r.id,
      projectId: r.project_id,
      path: r.path,
      name: basename(r.path),
      size: r.size,
      mtimeMs: r.mtime_ms,
      fingerprint: r.fingerprint,
      status: clipStatus(r),
      width: probe.width,
      height: probe.height,
      frameRate: probe.frameRate,
      frameCount: probe.durationFrames,
      startTimecode: probe.startTimecode,
      options,
      proxyState: (['none', 'building', 'ready', 'failed'].includes(r.proxy_state) ? r.proxy_state : 'none') as Clip['proxyState'],
      probe,
      importedAt: r.imported_at,
    };
  }
  function clipRow(id: string): ClipRow {
    const r = db.prepare('SELECT * FROM clips WHERE id = ?').get(id) as ClipRow | undefined;
    if (!r) throw new ServiceError('not_found', `No clip with id ${id}`);
    return r;
  }
  function shotRow(id: string): ShotRow {
    const r = db.prepare('SELECT * FROM shots WHERE id = ?').get(id) as ShotRow | undefined;
    if (!r) throw new ServiceError('not_found', `No shot with id ${id}`);
    return r;
  }

  function listShots(projectId: string): Shot[] {
    return read(() => {
      projectRow(projectId);
      const rows = db.prepare('SELECT s.*, c.path AS clip_path, c.probe_json FROM shots s JOIN clips c ON c.id = s.clip_id WHERE s.project_id = ? ORDER BY s.ord').all(projectId) as (ShotRow & { clip_path: string; probe_json: string })[];
      const probes = new Map<string, ProbeResult>();
      return rows.map((r) => {
        let p = probes.get(r.clip_id);
        if (!p) probes.set(r.clip_id, (p = JSON.parse(r.probe_json) as ProbeResult));
        return {
          id: r.id,
          projectId: r.project_id,
          clipId: r.clip_id,
          clipName: basename(r.clip_path),
          order: r.ord,
          firstFrame: r.first_frame,
          lastFrame: r.last_frame,
          startTimecode: formatTimecode(r.first_frame, p.frameRate, p.startTimecode),
          endTimecode: formatTimecode(r.last_frame, p.frameRate, p.startTimecode),
          gradeVersion: r.grade_version,
        };
      });
    });
  }
  const renumber = (projectId: string): void => {
    const ids = db.prepare('SELECT id FROM shots WHERE project_id = ? ORDER BY ord, first_frame').all(projectId) as { id: string }[];
    const up = db.prepare('UPDATE shots SET ord = ? WHERE id = ?');
    // Two passes avoid transient duplicates if a unique index is ever added.
    ids.forEach((r, i) => up.run(-1 - i, r.id));
    ids.forEach((r, i) => up.run(i, r.id));
  };

  function uniqueName(base: string): string {
    const exists = db.prepare('SELECT 1 FROM projects WHERE name = ?');
    if (!exists.get(base)) return base;
    for (let i = 2; ; i++) if (!exists.get(`${base} ${i}`)) return `${base} ${i}`;
  }

  // ------------------------------------------------------------------------------------- grades
  function gradeState(shotId: string): GradeState {
    const s = shotRow(shotId);
    const cur = s.grade_version > 0 ? (db.prepare('SELECT params_json FROM grades WHERE shot_id = ? AND version = ?').get(shotId, s.grade_version) as { params_json: string | null } | undefined) : undefined;
    const next = db.prepare('SELECT 1 FROM grades WHERE shot_id = ? AND version > ? LIMIT 1').get(shotId, s.grade_version);
    return { shotId, version: s.grade_version, params: cur?.params_json ? (JSON.parse(cur.params_json) as GradeParams) : null, canUndo: s.grade_version > 0, canRedo: !!next };
  }
  function pushGrade(shotId: string, params: GradeParams | null): void {
    const s = shotRow(shotId);
    const v = s.grade_version + 1;
    db.prepare('DELETE FROM grades WHERE shot_id = ? AND version >= ?').run(shotId, v);
    db.prepare('INSERT INTO grades (shot_id, version, params_json, created_at) VALUES (?, ?, ?, ?)').run(shotId, v, params === null ? null : JSON.stringify(params), now());
    db.prepare('UPDATE shots SET grade_version = ? WHERE id = ?').run(v, shotId);
    touch(s.project_id);
  }
  const currentParams = (shotId: string): GradeParams | null => gradeState(shotId).params;

  // ------------------------------------------------------------------------------------- import
  const proxyDir = (projectId: string, clipId: string): string => join(cacheRoot, projectId, clipId, 'proxy');

  function insertShots(projectId: string, clipId: string, ranges: { firstFrame: number; lastFrame: number }[]): void {
    const max = (db.prepare('SELECT COALESCE(MAX(ord), -1) AS m FROM shots WHERE project_id = ?').get(projectId) as { m: number }).m;
    const ins = db.prepare('INSERT INTO shots (id, project_id, clip_id, first_frame, last_frame, ord) VALUES (?, ?, ?, ?, ?, ?)');
    ranges.forEach((r, i) => ins.run(randomUUID(), projectId, clipId, r.firstFrame, r.lastFrame, max + 1 + i));
  }

  async function importOne(job: RunningJob, projectId: string, fileArg: string, index: number, total: number, o: ImportOptions): Promise<Clip> {
    const path = resolve(fileArg);
    const part = (f: number): number => (index + f) / total;
    job.progress(part(0), `Probing ${basename(path)}`);
    const probe = await media.probe(path, { signal: job.signal });
    const fingerprint = media.fingerprint(path);
    const st = statSync(path);
    const dup = read(() => db.prepare('SELECT id FROM clips WHERE project_id = ? AND fingerprint = ?').get(projectId, fingerprint)) as { id: string } | undefined;
    if (dup) throw new ServiceError('conflict', `${path}: already in this project (clip ${dup.id})`);
    const clipId = randomUUID();
    const { raw, ...probeCore } = probe;
    const stored: ProbeResult = { ...probeCore, raw };
    write(() => {
      projectRow(projectId);
      db.prepare('INSERT INTO clips (id, project_id, path, size, mtime_ms, fingerprint, probe_json, imported_at, options_json, proxy_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        clipId, projectId, path, st.size, st.mtimeMs, fingerprint, JSON.stringify(stored), now(), JSON.stringify(DEFAULT_OPTIONS), o.proxies === false ? 'none' : 'building',
      );
      touch(projectId);
    });
    emitChanged(projectId, 'clips');
    try {
      const input: MediaInput = { file: path, probe: stored, options: DEFAULT_OPTIONS };
      const detector = new ShotDetector();
      const expected = Math.max(1, probe.durationFrames);
      const detect = o.detectShots !== false && !o.knownCuts?.[fileArg];
      job.progress(part(0.02), `Decoding ${basename(path)}${detect ? ': finding shots' : ''}${o.proxies === false ? '' : ', building proxies'}`);
      const { frames } = await media.scan(input, {
        analysisWidth: 64,
        analysisHeight: 36,
        proxyDir: o.proxies === false ? null : proxyDir(projectId, clipId),
        proxyHeight: PROXY_HEIGHT,
        signal: job.signal,
        onAnalysisFrame: (rgb, i) => {
          if (detect) detector.push(rgb);
          if (i % 12 === 0) job.progress(part(0.02 + 0.96 * Math.min(1, (i + 1) / expected)), `${basename(path)}: frame ${i + 1} of ~${expected}`);
        },
      });
      const cuts = o.knownCuts?.[fileArg] ?? (detect ? detector.finish().map((t) => t.frame) : []);
      const ranges = shotsFromCuts(cuts, frames);
      write(() => {
        const p = JSON.parse((db.prepare('SELECT probe_json FROM clips WHERE id = ?').get(clipId) as { probe_json: string }).probe_json) as ProbeResult;
        p.durationFrames = frames;
        db.prepare('UPDATE clips SET probe_json = ?, proxy_state = ? WHERE id = ?').run(JSON.stringify(p), o.proxies === false ? 'none' : 'ready', clipId);
        insertShots(projectId, clipId, ranges);
        touch(projectId);
      });
      emitChanged(projectId, 'shots');
      log.info(`imported ${path}: ${frames} frames, ${ranges.length} shots`);
      return toClip(clipRow(clipId));
    } catch (e) {
      // Keep the library consistent: a clip that did not finish importing is removed again (media untouched).
      try {
        write(() => db.prepare('DELETE FROM clips WHERE id = ?').run(clipId));
        rmSync(join(cacheRoot, projectId, clipId), { recursive: true, force: true });
      } catch (e2) {
        log.error('could not roll back a failed import', e2);
      }
      emitChanged(projectId, 'clips');
      throw e;
    }
  }

  function importClips(projectId: string, files: string[], o: ImportOptions = {}): { jobId: string; done: Promise<ImportResult> } {
    read(() => projectRow(projectId));
    if (opened.readOnly) throw new ServiceError('io', `Library ${file} is read-only: cannot import.`);
    const { id, done } = jobs.start('import', projectId, `Import ${files.length} file${files.length === 1 ? '' : 's'}`, async (job) => {
      const result: ImportResult = { clips: [], failures: [] };
      for (let i = 0; i < files.length; i++) {
        try {
          result.clips.push(await importOne(job, projectId, files[i], i, files.length, o));
        } catch (e) {
          if (job.signal.aborted || (e instanceof ServiceError && e.code === 'cancelled')) throw new ServiceError('cancelled', 'Import cancelled');
          const code = e instanceof ServiceError ? e.code : 'internal';
          const message = e instanceof Error ? e.message : String(e);
          log.warn(`import failed: ${message}`);
          result.failures.push({ file: files[i], code, message });
        }
      }
      if (result.clips.length === 0 && result.failures.length) {
        const f = result.failures[0];
        throw new ServiceError(f.code as ServiceError['code'], result.failures.map((x) => x.message).join('; '), result.failures);
      }
      const msg = `Imported ${result.clips.length} clip${result.clips.length === 1 ? '' : 's'}` + (result.failures.length ? `; ${result.failures.length} failed: ${result.failures.map((f) => f.message).join('; ')}` : '');
      return { value: result, message: msg, warning: result.failures.length ? msg : undefined };
    });
    return { jobId: id, done };
  }

  function rebuildProxies(clipId: string): { jobId: string; done: Promise<void> } {
    const c = read(() => toClip(clipRow(clipId)));
    const { id, done } = jobs.start('proxies', c.projectId, `Proxies for ${c.name}`, async (job) => {
      write(() => db.prepare("UPDATE clips SET proxy_state = 'building' WHERE id = ?").run(clipId));
      const dir = proxyDir(c.projectId, clipId);
      rmSync(dir, { recursive: true, force: true });
      try {
        await media.scan({ file: c.path, probe: c.probe, options: c.options }, {
          analysisWidth: 16, analysisHeight: 16, proxyDir: dir, proxyHeight: PROXY_HEIGHT, signal: job.signal,
          onAnalysisFrame: (_b, i) => {
            if (i % 12 === 0) job.progress(Math.min(0.99, i / Math.max(1, c.frameCount)), `${c.name}: frame ${i}`);
          },
        });
        write(() => db.prepare("UPDATE clips SET proxy_state = 'ready' WHERE id = ?").run(clipId));
      } catch (e) {
        write(() => db.prepare("UPDATE clips SET proxy_state = 'failed' WHERE id = ?").run(clipId));
        throw e;
      } finally {
        emitChanged(c.projectId, 'clips');
      }
      return { value: undefined, message: 'Proxies ready' };
    });
    return { jobId: id, done };
  }

  // ------------------------------------------------------------------------------------- the service
  const lib: LibraryService = {
    dataDir,
    media,
    roots,
    log,
    db,
    status: () => ({ file, schemaVersion: opened.schemaVersion, readOnly: opened.readOnly, recovery: opened.recovery, mediaRoots: roots.roots }),
    listProjects: () => read(() => (db.prepare(`${projectSql} ORDER BY p.name COLLATE NOCASE`).all() as ProjectRow[]).map(toProject)),
    recentProjects: (limit = 10) => read(() => (db.prepare(`${projectSql} ORDER BY COALESCE(p.last_opened_at, p.updated_at) DESC LIMIT ?`).all(limit) as ProjectRow[]).map(toProject)),
    createProject(name, o = {}) {
      const n = name.trim();
      if (!n) throw new ServiceError('bad_input', 'A project needs a name');
      const id = randomUUID();
      write(() => {
        if (db.prepare('SELECT 1 FROM projects WHERE name = ?').get(n)) throw new ServiceError('conflict', `A project named "${n}" already exists`);
        const t = now();
        db.prepare('INSERT INTO projects (id, name, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, ?)').run(id, n, t, t, o.isDemo ? 1 : 0);
      });
      emitChanged(null, 'projects');
      return toProject(projectRow(id));
    },
    findProject(idOrName) {
      return read(() => {
        const r = (db.prepare(`${projectSql} WHERE p.id = ?`).get(idOrName) ?? db.prepare(`${projectSql} WHERE p.name = ?`).get(idOrName.trim())) as ProjectRow | undefined;
        if (!r) throw new ServiceError('not_found', `No project named "${idOrName}"`);
        return toProject(r);
      });
    },
    getProject(projectId) {
      read(() => projectRow(projectId));
      if (!opened.readOnly) {
        try {
          write(() => db.prepare('UPDATE projects SET last_opened_at = ? WHERE id = ?').run(now(), projectId));
        } catch (e) {
          log.warn('could not record the project as opened', e);
        }
      }
      return read(() => ({ project: toProject(projectRow(projectId)), clips: lib.listClips(projectId), shots: listShots(projectId) }));
    },
    renameProject(projectId, name) {
      const n = name.trim();
      write(() => {
        projectRow(projectId);
        const other = db.prepare('SELECT id FROM projects WHERE name = ? AND id <> ?').get(n, projectId);
        if (other) throw new ServiceError('conflict', `A project named "${n}" already exists`);
        db.prepare('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(n, now(), projectId);
      });
      emitChanged(projectId, 'projects');
      return toProject(projectRow(projectId));
    },
    duplicateProject(projectId, name) {
      const newId = randomUUID();
      write(() => {
        const src = projectRow(projectId);
        const n = name?.trim() ? name.trim() : uniqueName(`${src.name} copy`);
        if (db.prepare('SELECT 1 FROM projects WHERE name = ?').get(n)) throw new ServiceError('conflict', `A project named "${n}" already exists`);
        const t = now();
        db.prepare('INSERT INTO projects (id, name, created_at, updated_at, is_demo) VALUES (?, ?, ?, ?, 0)').run(newId, n, t, t);
        const clipMap = new Map<string, string>();
        for (const c of db.prepare('SELECT * FROM clips WHERE project_id = ?').all(projectId) as ClipRow[]) {
          const cid = randomUUID();
          clipMap.set(c.id, cid);
          // Proxies are per clip id and rebuildable: the copy starts without them.
          db.prepare('INSERT INTO clips (id, project_id, path, size, mtime_ms, fingerprint, probe_json, imported_at, options_json, proxy_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(cid, newId, c.path, c.size, c.mtime_ms, c.fingerprint, c.probe_json, c.imported_at, c.options_json, 'none');
        }
        for (const s of db.prepare('SELECT * FROM shots WHERE project_id = ? ORDER BY ord').all(projectId) as ShotRow[]) {
          const sid = randomUUID();
          const params = currentParams(s.id);
          db.prepare('INSERT INTO shots (id, project_id, clip_id, first_frame, last_frame, ord, grade_version) VALUES (?, ?, ?, ?, ?, ?, 0)').run(sid, newId, clipMap.get(s.clip_id), s.first_frame, s.last_frame, s.ord);
          if (params) pushGrade(sid, params);
        }
      });
      emitChanged(null, 'projects');
      return toProject(projectRow(newId));
    },
    deleteProject(projectId) {
      read(() => projectRow(projectId));
      for (const j of jobs.list(projectId, true)) jobs.cancel(j.id);
      write(() => {
        db.prepare('DELETE FROM projects WHERE id = ?').run(projectId);
      });
      emitChanged(null, 'projects');
      // Our caches only; source media are never touched. Removed once the cancelled jobs have stopped, so a proxy
      // build still writing its last frame cannot leave a half-recreated folder behind.
      const dir = join(cacheRoot, projectId);
      rmSync(dir, { recursive: true, force: true });
      void jobs.idle().then(() => rmSync(dir, { recursive: true, force: true })).catch((e: unknown) => log.warn(`could not remove ${dir}`, e));
      return true;
    },
    importClips,
    listClips: (projectId) => read(() => (db.prepare('SELECT * FROM clips WHERE project_id = ? ORDER BY imported_at, rowid').all(projectId) as ClipRow[]).map(toClip)),
    getClip: (clipId) => read(() => toClip(clipRow(clipId))),
    checkMedia(projectId) {
      read(() => projectRow(projectId));
      const rows = db.prepare('SELECT * FROM clips WHERE project_id = ?').all(projectId) as ClipRow[];
      for (const r of rows) {
        if (clipStatus(r) !== 'changed') continue;
        // Same size/mtime check failed: look at the content before calling it changed (a touch is not a change).
        try {
          if (media.fingerprint(r.path) === r.fingerprint) {
            const st = statSync(r.path);
            write(() => db.prepare('UPDATE clips SET size = ?, mtime_ms = ? WHERE id = ?').run(st.size, st.mtimeMs, r.id));
          }
        } catch (e) {
          log.warn(`cannot read ${r.path}`, e);
        }
      }
      const clips = lib.listClips(projectId);
      for (const c of clips) {
        if (c.status === 'ok' && c.proxyState === 'ready' && !existsSync(join(proxyDir(projectId, c.id), '000000.jpg'))) {
          rebuildProxies(c.id).done.catch(() => undefined);
        }
      }
      return clips;
    },
    relinkClip(clipId, path) {
      const c = read(() => clipRow(clipId));
      const p = resolve(path);
      let fp: string;
      try {
        fp = media.fingerprint(p);
      } catch {
        throw new ServiceError('not_found', `${p}: no such file`);
      }
      if (fp !== c.fingerprint) throw new ServiceError('bad_input', `${p}: not the same media as ${basename(c.path)} (content fingerprint differs)`);
      const st = statSync(p);
      write(() => db.prepare('UPDATE clips SET path = ?, size = ?, mtime_ms = ? WHERE id = ?').run(p, st.size, st.mtimeMs, clipId));
      emitChanged(c.project_id, 'clips');
      return toClip(clipRow(clipId));
    },
    async acceptChangedMedia(clipId) {
      const c = read(() => clipRow(clipId));
      const probe = await media.probe(c.path);
      const fp = media.fingerprint(c.path);
      const st = statSync(c.path);
      write(() =>
        db.transaction(() => {
          db.prepare('UPDATE clips SET size = ?, mtime_ms = ?, fingerprint = ?, probe_json = ? WHERE id = ?').run(st.size, st.mtimeMs, fp, JSON.stringify(probe), clipId);
          const last = probe.durationFrames - 1;
          const dropped = db.prepare('SELECT id FROM shots WHERE clip_id = ? AND first_frame > ?').all(clipId, last) as { id: string }[];
          for (const d of dropped) db.prepare('DELETE FROM shots WHERE id = ?').run(d.id);
          db.prepare('UPDATE shots SET last_frame = ? WHERE clip_id = ? AND last_frame > ?').run(last, clipId, last);
          if (dropped.length) log.info(`${basename(c.path)} is shorter now: ${dropped.length} shot(s) past frame ${last} removed`);
        })(),
      );
      emitChanged(c.project_id, 'shots');
      rebuildProxies(clipId).done.catch(() => undefined);
      return toClip(clipRow(clipId));
    },
    relinkSearch(projectId, folder) {
      read(() => projectRow(projectId));
      const missing = lib.listClips(projectId).filter((c) => c.status !== 'ok');
      const bySize = new Map<number, Clip[]>();
      for (const c of missing) bySize.set(c.size, [...(bySize.get(c.size) ?? []), c]);
      const relinked: Clip[] = [];
      let seen = 0;
      const walk = (dir: string, depth: number): void => {
        if (depth > 8 || seen > 50000 || bySize.size === 0) return;
        let names: string[];
        try {
          names = readdirSync(dir);
        } catch {
          return;
        }
        for (const name of names) {
          if (name.startsWith('.')) continue;
          const p = join(dir, name);
          seen++;
          let st;
          try {
            // lstat: links are not followed, so the search stays inside the folder it was given.
            st = lstatSync(p);
          } catch {
            continue;
          }
          if (st.isDirectory()) walk(p, depth + 1);
          else if (st.isFile() && bySize.has(st.size)) {
            const cands = bySize.get(st.size)!;
            let fp: string;
            try {
              fp = media.fingerprint(p);
            } catch {
              continue;
            }
            const hit = cands.find((c) => c.fingerprint === fp);
            if (hit) {
              relinked.push(lib.relinkClip(hit.id, p));
              const rest = cands.filter((c) => c !== hit);
              if (rest.length) bySize.set(st.size, rest);
              else bySize.delete(st.size);
            }
          }
        }
      };
      walk(resolve(folder), 0);
      return { relinked, stillMissing: missing.length - relinked.length };
    },
    setClipOptions(clipId, options) {
      const c = read(() => toClip(clipRow(clipId)));
      const next = { ...c.options, ...options };
      write(() => db.prepare('UPDATE clips SET options_json = ? WHERE id = ?').run(JSON.stringify(next), clipId));
      emitChanged(c.projectId, 'clips');
      // Proxies show the clip as decoded: rebuild them with the new options.
      if (c.proxyState !== 'none' && (next.deinterlace !== c.options.deinterlace || next.squarePixels !== c.options.squarePixels)) rebuildProxies(clipId).done.catch(() => undefined);
      return toClip(clipRow(clipId));
    },
    removeClip(clipId) {
      const c = read(() => clipRow(clipId));
      write(() => {
        db.prepare('DELETE FROM clips WHERE id = ?').run(clipId);
        renumber(c.project_id);
        touch(c.project_id);
      });
      rmSync(join(cacheRoot, c.project_id, clipId), { recursive: true, force: true });
      emitChanged(c.project_id, 'clips');
      return true;
    },
    listShots,
    splitShot(shotId, frame) {
      const s = read(() => shotRow(shotId));
      if (frame <= s.first_frame || frame > s.last_frame) throw new ServiceError('bad_input', `Frame ${frame} is not inside shot ${s.first_frame}..${s.last_frame} (the new shot must start after its first frame)`);
      write(() => {
        const params = currentParams(shotId);
        db.prepare('UPDATE shots SET ord = ord + 1 WHERE project_id = ? AND ord > ?').run(s.project_id, s.ord);
        db.prepare('UPDATE shots SET last_frame = ? WHERE id = ?').run(frame - 1, shotId);
        const nid = randomUUID();
        db.prepare('INSERT INTO shots (id, project_id, clip_id, first_frame, last_frame, ord) VALUES (?, ?, ?, ?, ?, ?)').run(nid, s.project_id, s.clip_id, frame, s.last_frame, s.ord + 1);
        if (params) pushGrade(nid, params);
        touch(s.project_id);
      });
      emitChanged(s.project_id, 'shots');
      return listShots(s.project_id);
    },
    mergeShots(shotIds) {
      const rows = read(() => shotIds.map(shotRow));
      const first = rows[0];
      if (new Set(rows.map((r) => r.id)).size !== rows.length) throw new ServiceError('bad_input', 'A shot is listed twice');
      if (rows.some((r) => r.project_id !== first.project_id || r.clip_id !== first.clip_id)) throw new ServiceError('bad_input', 'Only shots of the same clip can be merged');
      const sorted = [...rows].sort((a, b) => a.first_frame - b.first_frame);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i].first_frame !== sorted[i - 1].last_frame + 1) throw new ServiceError('bad_input', `Shots ${sorted[i - 1].first_frame}..${sorted[i - 1].last_frame} and ${sorted[i].first_frame}..${sorted[i].last_frame} are not contiguous`);
      }
      const keep = sorted[0];
      write(() => {
        for (const r of sorted.slice(1)) db.prepare('DELETE FROM shots WHERE id = ?').run(r.id);
        db.prepare('UPDATE shots SET last_frame = ? WHERE id = ?').run(sorted[sorted.length - 1].last_frame, keep.id);
        renumber(keep.project_id);
        touch(keep.project_id);
      });
      emitChanged(keep.project_id, 'shots');
      return listShots(keep.project_id);
    },
    reorderShots(projectId, shotIds) {
      write(() => {
        projectRow(projectId);
        const all = (db.prepare('SELECT id FROM shots WHERE project_id = ?').all(projectId) as { id: string }[]).map((r) => r.id);
        const given = new Set(shotIds);
        if (given.size !== shotIds.length || all.length !== shotIds.length || all.some((id) => !given.has(id))) {
          throw new ServiceError('bad_input', `A new order must list each of the project's ${all.length} shots exactly once`);
        }
        const up = db.prepare('UPDATE shots SET ord = ? WHERE id = ?');
        shotIds.forEach((id, i) => up.run(-1 - i, id));
        shotIds.forEach((id, i) => up.run(i, id));
        touch(projectId);
      });
      emitChanged(projectId, 'shots');
      return listShots(projectId);
    },
    getGrade: (shotId) => read(() => gradeState(shotId)),
    setGrade(shotId, input) {
      const parsed = GradeParamsSchema.safeParse(input);
      if (!parsed.success) throw new ServiceError('bad_request', `Invalid grade: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      const s = read(() => shotRow(shotId));
      write(() => pushGrade(shotId, parsed.data));
      emitChanged(s.project_id, 'grades');
      return gradeState(shotId);
    },
    undoGrade(shotId) {
      const s = read(() => shotRow(shotId));
      if (s.grade_version === 0) throw new ServiceError('conflict', 'Nothing to undo for this shot');
      write(() => db.prepare('UPDATE shots SET grade_version = grade_version - 1 WHERE id = ?').run(shotId));
      emitChanged(s.project_id, 'grades');
      return gradeState(shotId);
    },
    redoGrade(shotId) {
      const s = read(() => shotRow(shotId));
      if (!gradeState(shotId).canRedo) throw new ServiceError('conflict', 'Nothing to redo for this shot');
      write(() => db.prepare('UPDATE shots SET grade_version = grade_version + 1 WHERE id = ?').run(shotId));
      emitChanged(s.project_id, 'grades');
      return gradeState(shotId);
    },
    copyGrade(fromShotId, toShotIds) {
      const src = read(() => shotRow(fromShotId));
      const params = read(() => currentParams(fromShotId));
      write(() => {
        for (const id of toShotIds) {
          const t = shotRow(id);
          if (t.project_id !== src.project_id) throw new ServiceError('bad_input', 'Grades can only be copied within a project');
          if (id !== fromShotId) pushGrade(id, params);
        }
      });
      emitChanged(src.project_id, 'grades');
      return toShotIds.map((id) => gradeState(id));
    },
    mediaInput(clipId) {
      const c = read(() => toClip(clipRow(clipId)));
      if (c.status === 'missing') throw new ServiceError('not_found', `${c.path}: media missing or moved; relink the clip`);
      return { file: c.path, probe: c.probe, options: c.options };
    },
    decodeFrame: async (clipId, frame, o) => media.decodeFrame(lib.mediaInput(clipId), frame, o),
    thumbnailPath(shotId) {
      const s = read(() => shotRow(shotId));
      const f = s.first_frame + Math.floor((s.last_frame - s.first_frame) / 3);
      const p = join(proxyDir(s.project_id, s.clip_id), `${String(f).padStart(6, '0')}.jpg`);
      return existsSync(p) ? p : null;
    },
    proxyFrame(clipId, frame) {
      const c = read(() => toClip(clipRow(clipId)));
      const { width, height } = media.outputSize({ file: c.path, probe: c.probe, options: c.options });
      const ph = Math.min(PROXY_HEIGHT, height);
      const pw = Math.max(2, Math.round((width * ph) / height / 2) * 2);
      const f = Math.max(0, Math.min(frame, c.frameCount - 1));
      const p = join(proxyDir(c.projectId, clipId), `${String(f).padStart(6, '0')}.jpg`);
      return { path: existsSync(p) ? p : null, width: pw, height: ph };
    },
    rebuildProxies,
    browse: (path) => roots.browse(path),
    listJobs: (projectId, activeOnly) => jobs.list(projectId, activeOnly),
    getJob: (jobId) => jobs.get(jobId),
    cancelJob: (jobId) => jobs.cancel(jobId),
    close() {
      if (closed) return;
      for (const j of jobs.list(undefined, true)) jobs.cancel(j.id);
      closed = true;
      try {
        if (!opened.readOnly) db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        /* best effort */
      }
      db.close();
    },
  };
  return lib;
}

type LibraryHandlers = { [M in keyof typeof libraryMethods]: Handler<M> };

/**
 * Contract handlers. `restrictToRoots` (default true) makes import, relink and probe accept only paths inside
 * the media roots, as the headless host must; the Electron host may pass false (paths come from its own dialog).
 */
export function libraryHandlers(lib: LibraryService, deps: { media: MediaService; restrictToRoots?: boolean }): LibraryHandlers {
  const restrict = deps.restrictToRoots !== false;
  const check = (p: string): string => (restrict ? lib.roots.resolve(p) : p);
  return {
    'library.status': () => lib.status(),
    'library.listProjects': () => lib.listProjects(),
    'library.recentProjects': (r) => lib.recentProjects(r.limit),
    'library.createProject': (r) => lib.createProject(r.name),
    'library.getProject': (r) => lib.getProject(r.projectId),
    'library.renameProject': (r) => lib.renameProject(r.projectId, r.name),
    'library.duplicateProject': (r) => lib.duplicateProject(r.projectId, r.name),
    'library.deleteProject': (r) => ({ deleted: lib.deleteProject(r.projectId) }),
    'library.importClips': (r) => {
      const files = r.files.map(check);
      const { jobId, done } = lib.importClips(r.projectId, files, { detectShots: r.detectShots, proxies: r.proxies });
      done.catch(() => undefined); // outcome reported through job.progress
      return { jobId };
    },
    'library.checkMedia': (r) => lib.checkMedia(r.projectId),
    'library.relinkClip': (r) => lib.relinkClip(r.clipId, check(r.path)),
    'library.acceptChangedMedia': (r) => lib.acceptChangedMedia(r.clipId),
    'library.relinkSearch': (r) => lib.relinkSearch(r.projectId, check(r.folder)),
    'library.setClipOptions': (r) => lib.setClipOptions(r.clipId, r.options),
    'library.removeClip': (r) => ({ removed: lib.removeClip(r.clipId) }),
    'shots.list': (r) => lib.listShots(r.projectId),
    'shots.split': (r) => lib.splitShot(r.shotId, r.frame),
    'shots.merge': (r) => lib.mergeShots(r.shotIds),
    'shots.reorder': (r) => lib.reorderShots(r.projectId, r.shotIds),
    'grades.get': (r) => lib.getGrade(r.shotId),
    'grades.set': (r) => lib.setGrade(r.shotId, r.params),
    'grades.undo': (r) => lib.undoGrade(r.shotId),
    'grades.redo': (r) => lib.redoGrade(r.shotId),
    'grades.copy': (r) => lib.copyGrade(r.fromShotId, r.toShotIds),
    'media.browse': (r) => lib.browse(r.path),
    'media.probe': async (r) => {
      const { raw: _raw, ...p } = await deps.media.probe(check(r.path));
      return p;
    },
    'media.thumbnail': (r) => ({ path: lib.thumbnailPath(r.shotId) }),
    'media.proxyFrame': (r) => lib.proxyFrame(r.clipId, r.frame),
    'jobs.list': (r) => lib.listJobs(r.projectId, r.activeOnly),
    'jobs.get': (r) => lib.getJob(r.jobId),
    'jobs.cancel': (r) => lib.cancelJob(r.jobId),
  };
}

export { MEDIA_EXTENSIONS };
