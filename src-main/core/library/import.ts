// Importing clips as a cancellable job: probe, fingerprint, then one decode pass that finds the shots and writes
// the scrub proxies. A clip whose import does not finish is removed again, so the library stays consistent.
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ServiceError, type Clip, type ProbeResult } from '../../common/contract';
import { ShotDetector, shotsFromCuts } from '../media/scenes';
import type { MediaInput } from '../media';
import type { ImportOptions, ImportResult, LibraryApiPart } from './api';
import {
  DEFAULT_OPTIONS,
  deleteClipRow,
  insertClip,
  requireClip,
  selectClipIdByFingerprint,
  toClip,
  updateClipProbe,
  updateProxyState,
} from './clips-repo';
import { now, type LibraryContext } from './context';
import type { RunningJob } from './jobs';
import { requireProject, touchProject } from './projects-repo';
import { PROXY_HEIGHT } from './proxies';
import { appendShots } from './shots-repo';

async function importOne(
  ctx: LibraryContext,
  job: RunningJob,
  projectId: string,
  fileArg: string,
  part: (f: number) => number,
  o: ImportOptions,
): Promise<Clip> {
  const { db, media, log } = ctx;
  const path = resolve(fileArg);
  const name = basename(path);
  job.progress(part(0), `Probing ${name}`);
  const probe = await media.probe(path, { signal: job.signal });
  const fingerprint = media.fingerprint(path);
  const st = statSync(path);
  let dup = ctx.read(() => selectClipIdByFingerprint(db, projectId, fingerprint));
  if (dup) {
    // The same file may be the clip of an import whose process died: reaping it removes that clip.
    ctx.jobs.reapInterrupted();
    dup = ctx.read(() => selectClipIdByFingerprint(db, projectId, fingerprint));
  }
  if (dup) throw new ServiceError('conflict', `${path}: already in this project (clip ${dup})`);
  const clipId = randomUUID();
  const { raw, ...probeCore } = probe;
  const stored: ProbeResult = { ...probeCore, raw };
  const proxies = o.proxies !== false;
  ctx.write(() => {
    requireProject(db, projectId);
    insertClip(db, {
      id: clipId,
      project_id: projectId,
      path,
      size: st.size,
      mtime_ms: st.mtimeMs,
      fingerprint,
      probe_json: JSON.stringify(stored),
      imported_at: now(),
      options_json: JSON.stringify(DEFAULT_OPTIONS),
      proxy_state: proxies ? 'building' : 'none',
    });
    touchProject(db, projectId, now());
  });
  // Whoever finds this job interrupted (its process died) removes this clip if it got no shots.
  job.setDetail({ clipId, projectId });
  ctx.changed(projectId, 'clips');
  try {
    const input: MediaInput = { file: path, probe: stored, options: DEFAULT_OPTIONS };
    const detector = new ShotDetector();
    const expected = Math.max(1, probe.durationFrames);
    const detect = o.detectShots !== false && !o.knownCuts?.[fileArg];
    job.progress(
      part(0.02),
      `Decoding ${name}${detect ? ': finding shots' : ''}${proxies ? ', building proxies' : ''}`,
    );
    const { frames } = await media.scan(input, {
      analysisWidth: 64,
      analysisHeight: 36,
      proxyDir: proxies ? ctx.proxyDir(projectId, clipId) : null,
      proxyHeight: PROXY_HEIGHT,
      signal: job.signal,
      onAnalysisFrame: (rgb, i) => {
        if (detect) detector.push(rgb);
        if (i % 12 === 0)
          job.progress(part(0.02 + 0.96 * Math.min(1, (i + 1) / expected)), `${name}: frame ${i + 1} of ~${expected}`);
      },
    });
    const cuts = o.knownCuts?.[fileArg] ?? (detect ? detector.finish().map((t) => t.frame) : []);
    const ranges = shotsFromCuts(cuts, frames);
    const declared = declaredFrames(probe);
    ctx.write(() => {
      // The decode counted the frames; the container's duration was an estimate, or a promise a truncated file
      // does not keep (then its declaration is kept, and the clip says it is incomplete).
      const p = JSON.parse(requireClip(db, clipId).probe_json) as ProbeResult;
      p.durationFrames = frames;
      if (declared !== null && isShort(frames, declared)) p.declaredFrames = declared;
      updateClipProbe(db, clipId, p);
      updateProxyState(db, clipId, proxies ? 'ready' : 'none');
      appendShots(db, projectId, clipId, ranges);
      touchProject(db, projectId, now());
    });
    ctx.changed(projectId, 'shots');
    log.info(`imported ${path}: ${frames} frames, ${ranges.length} shots`);
    return toClip(requireClip(db, clipId));
  } catch (e) {
    rollBack(ctx, projectId, clipId);
    throw e;
  }
}

/**
 * Keeps the library consistent after an import that did not finish: its cache goes first, so that on a full
 * disk the freed space lets the clip's row be deleted. A row that still cannot go is removed by the next tidy
 * (a clip without shots); the media is never touched.
 */
function rollBack(ctx: LibraryContext, projectId: string, clipId: string): void {
  try {
    rmSync(ctx.clipCache(projectId, clipId), { recursive: true, force: true });
  } catch (e) {
    ctx.log.error(`could not remove the cache of a failed import (${ctx.clipCache(projectId, clipId)})`, e);
  }
  try {
    ctx.write(() => deleteClipRow(ctx.db, clipId));
  } catch (e) {
    ctx.log.error('could not remove the clip of a failed import; the next start removes it', e);
  }
  ctx.changed(projectId, 'clips');
}

/** The frame count the container states (nb_frames), or null where ffprobe only estimated it from the duration. */
function declaredFrames(probe: ProbeResult): number | null {
  const streams = (probe.raw as { streams?: { codec_type?: string; nb_frames?: string }[] } | undefined)?.streams;
  const stated = (streams ?? []).filter((s) => s.codec_type === 'video').map((s) => Number(s.nb_frames));
  return stated.includes(probe.durationFrames) ? probe.durationFrames : null;
}

/** Edit lists may hide a frame or two of a sound file; a truncated one loses more. */
const isShort = (decoded: number, declared: number): boolean =>
  declared - decoded > Math.max(2, Math.round(declared * 0.005));

/** Starts an import job; `done` settles when it finishes (rejects on cancel or when every file failed). */
export function importClips(
  ctx: LibraryContext,
  projectId: string,
  files: string[],
  o: ImportOptions = {},
): { jobId: string; done: Promise<ImportResult> } {
  ctx.read(() => requireProject(ctx.db, projectId));
  if (ctx.readOnly) throw new ServiceError('io', `Library ${ctx.file} is read-only: cannot import.`);
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const { id, done } = ctx.jobs.start('import', projectId, `Import ${plural(files.length, 'file')}`, async (job) => {
    const result: ImportResult = { clips: [], failures: [] };
    for (let i = 0; i < files.length; i++) {
      try {
        result.clips.push(await importOne(ctx, job, projectId, files[i], (f) => (i + f) / files.length, o));
      } catch (e) {
        if (job.signal.aborted || (e instanceof ServiceError && e.code === 'cancelled'))
          throw new ServiceError('cancelled', 'Import cancelled');
        const code = e instanceof ServiceError ? e.code : 'internal';
        const message = e instanceof Error ? e.message : String(e);
        ctx.log.warn(`import failed: ${message}`);
        result.failures.push({ file: files[i], code, message });
      }
    }
    const { clips, failures } = result;
    const warnings = [
      ...clips.filter((c) => c.incomplete).map((c) => `${c.path}: ${c.incomplete}`),
      ...clips.filter((c) => c.colourWarning).map((c) => `${c.path}: ${c.colourWarning}`),
    ];
    for (const line of warnings) ctx.log.warn(`imported ${line}`);
    if (clips.length === 0 && failures.length) {
      throw new ServiceError(
        failures[0].code as ServiceError['code'],
        failures.map((x) => x.message).join('; '),
        failures,
      );
    }
    const msg =
      `Imported ${plural(clips.length, 'clip')}` +
      (failures.length ? `; ${failures.length} failed: ${failures.map((f) => f.message).join('; ')}` : '') +
      (warnings.length ? `; ${warnings.join('; ')}` : '');
    return { value: result, message: msg, warning: failures.length || warnings.length ? msg : undefined };
  });
  return { jobId: id, done };
}

export function importApi(ctx: LibraryContext): LibraryApiPart<'library.importClips'> {
  return {
    'library.importClips': ({ projectId, files, detectShots, proxies }) => {
      const { jobId, done } = importClips(
        ctx,
        projectId,
        files.map((f) => ctx.callerPath(f)),
        { detectShots, proxies },
      );
      done.catch(() => undefined); // outcome reported through job.progress
      return { jobId };
    },
  };
}
