// Clips: a project's media files as imported, their state on disk, their decode options.
import { rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ServiceError, type Clip } from '../../common/contract';
import type { MediaInput } from '../media';
import type { LibraryApiPart } from './api';
import {
  clipStatus,
  deleteClipRow,
  requireClip,
  selectClips,
  toClip,
  updateClipContent,
  updateClipFile,
  updateClipOptions,
} from './clips-repo';
import { now, type LibraryContext } from './context';
import { requireProject, touchProject } from './projects-repo';
import { proxiesPresent, rebuildProxiesLater } from './proxies';
import { renumber, trimClipShots } from './shots-repo';

/**
 * A project's clips as every process sharing the library should see them: jobs whose process died are reaped
 * first, so the clip of an import killed in another process (no shots, proxies "building") is gone, not listed.
 */
export function listClips(ctx: LibraryContext, projectId: string): Clip[] {
  if (ctx.db.open) ctx.jobs.reapInterrupted();
  return ctx.read(() => selectClips(ctx.db, projectId).map(toClip));
}

export const getClip = (ctx: LibraryContext, clipId: string): Clip =>
  ctx.read(() => toClip(requireClip(ctx.db, clipId)));

/** How to decode a clip, or not_found when its media is missing. */
export function mediaInput(ctx: LibraryContext, clipId: string): MediaInput {
  const c = getClip(ctx, clipId);
  if (c.status === 'missing') throw new ServiceError('not_found', `${c.path}: media missing or moved; relink the clip`);
  return { file: c.path, probe: c.probe, options: c.options };
}

export function clipsApi(
  ctx: LibraryContext,
): LibraryApiPart<
  'library.checkMedia' | 'library.acceptChangedMedia' | 'library.setClipOptions' | 'library.removeClip'
> {
  const { db, media, log } = ctx;
  return {
    'library.checkMedia': ({ projectId }) => {
      ctx.read(() => requireProject(db, projectId));
      for (const r of selectClips(db, projectId)) {
        if (clipStatus(r) !== 'changed') continue;
        // Same size/mtime check failed: look at the content before calling it changed (a touch is not a change).
        try {
          if (media.fingerprint(r.path) === r.fingerprint) {
            const st = statSync(r.path);
            ctx.write(() => updateClipFile(db, r.id, { size: st.size, mtimeMs: st.mtimeMs }));
          }
        } catch (e) {
          log.warn(`cannot read ${r.path}`, e);
        }
      }
      const clips = listClips(ctx, projectId);
      for (const c of clips) {
        if (c.status === 'ok' && c.proxyState === 'ready' && !proxiesPresent(ctx, projectId, c.id))
          rebuildProxiesLater(ctx, c.id);
      }
      return clips;
    },
    // A re-export of the same shot at the clip's own path: keep the shots that still fit, rebuild the proxies.
    'library.acceptChangedMedia': async ({ clipId }) => {
      const c = ctx.read(() => requireClip(db, clipId));
      const probe = await media.probe(c.path);
      const fingerprint = media.fingerprint(c.path);
      const st = statSync(c.path);
      ctx.write(() => {
        updateClipContent(db, clipId, { size: st.size, mtimeMs: st.mtimeMs, fingerprint, probe });
        const last = probe.durationFrames - 1;
        const dropped = trimClipShots(db, clipId, last);
        if (dropped) log.info(`${basename(c.path)} is shorter now: ${dropped} shot(s) past frame ${last} removed`);
      });
      ctx.changed(c.project_id, 'shots');
      rebuildProxiesLater(ctx, clipId);
      return getClip(ctx, clipId);
    },
    'library.setClipOptions': ({ clipId, options }) => {
      const c = getClip(ctx, clipId);
      const next = { ...c.options, ...options };
      ctx.write(() => updateClipOptions(db, clipId, next));
      ctx.changed(c.projectId, 'clips');
      // Proxies show the clip as decoded: rebuild them with the new options.
      const decodeChanged = next.deinterlace !== c.options.deinterlace || next.squarePixels !== c.options.squarePixels;
      if (c.proxyState !== 'none' && decodeChanged) rebuildProxiesLater(ctx, clipId);
      return getClip(ctx, clipId);
    },
    'library.removeClip': ({ clipId }) => {
      const c = ctx.read(() => requireClip(db, clipId));
      ctx.write(() => {
        deleteClipRow(db, clipId);
        renumber(db, c.project_id);
        touchProject(db, c.project_id, now());
      });
      rmSync(ctx.clipCache(c.project_id, clipId), { recursive: true, force: true });
      ctx.changed(c.project_id, 'clips');
      return { removed: true };
    },
  };
}
