// Scrub proxies: a small JPEG per frame of each clip, in the rebuildable cache; shot thumbnails are proxies too.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LibraryApiPart } from './api';
import { requireClip, toClip, updateProxyState } from './clips-repo';
import type { LibraryContext } from './context';
import { requireShot } from './shots-repo';

export const PROXY_HEIGHT = 216; // 384x216 for 16:9, ~15 KB a frame

const proxyFile = (ctx: LibraryContext, projectId: string, clipId: string, frame: number): string =>
  join(ctx.proxyDir(projectId, clipId), `${String(frame).padStart(6, '0')}.jpg`);

/** Rebuilds a clip's proxies as a background job (after its source or its decode options changed). */
export function rebuildProxies(ctx: LibraryContext, clipId: string): { jobId: string; done: Promise<void> } {
  const c = ctx.read(() => toClip(requireClip(ctx.db, clipId)));
  const { id, done } = ctx.jobs.start('proxies', c.projectId, `Proxies for ${c.name}`, async (job) => {
    ctx.write(() => updateProxyState(ctx.db, clipId, 'building'));
    const dir = ctx.proxyDir(c.projectId, clipId);
    rmSync(dir, { recursive: true, force: true });
    try {
      await ctx.media.scan(
        { file: c.path, probe: c.probe, options: c.options },
        {
          analysisWidth: 16,
          analysisHeight: 16,
          proxyDir: dir,
          proxyHeight: PROXY_HEIGHT,
          signal: job.signal,
          onAnalysisFrame: (_b, i) => {
            if (i % 12 === 0) job.progress(Math.min(0.99, i / Math.max(1, c.frameCount)), `${c.name}: frame ${i}`);
          },
        },
      );
      ctx.write(() => updateProxyState(ctx.db, clipId, 'ready'));
    } catch (e) {
      ctx.write(() => updateProxyState(ctx.db, clipId, 'failed'));
      throw e;
    } finally {
      ctx.changed(c.projectId, 'clips');
    }
    return { value: undefined, message: 'Proxies ready' };
  });
  return { jobId: id, done };
}

/** Rebuilds in the background; the outcome shows in the clip's proxyState and the job's progress. */
export function rebuildProxiesLater(ctx: LibraryContext, clipId: string): void {
  rebuildProxies(ctx, clipId).done.catch(() => undefined);
}

/** Whether a clip whose proxies are 'ready' still has them (a cleared cache loses them). */
export const proxiesPresent = (ctx: LibraryContext, projectId: string, clipId: string): boolean =>
  existsSync(proxyFile(ctx, projectId, clipId, 0));

export function proxyApi(
  ctx: LibraryContext,
): LibraryApiPart<'media.thumbnail' | 'media.proxyFrame' | 'media.proxyFrames'> {
  return {
    'media.thumbnail': ({ shotId }) => {
      const s = ctx.read(() => requireShot(ctx.db, shotId));
      const p = proxyFile(ctx, s.project_id, s.clip_id, s.first_frame + Math.floor((s.last_frame - s.first_frame) / 3));
      return { path: existsSync(p) ? p : null };
    },
    'media.proxyFrame': ({ clipId, frame }) => {
      const { paths, width, height } = proxyFrames(ctx, clipId, [frame]);
      return { path: paths[0], width, height };
    },
    'media.proxyFrames': ({ clipId, frames }) => proxyFrames(ctx, clipId, frames),
  };
}

function proxyFrames(
  ctx: LibraryContext,
  clipId: string,
  frames: readonly number[],
): { paths: (string | null)[]; width: number; height: number } {
  const c = ctx.read(() => toClip(requireClip(ctx.db, clipId)));
  const { width, height } = ctx.media.outputSize({ file: c.path, probe: c.probe, options: c.options });
  const ph = Math.min(PROXY_HEIGHT, height);
  const pw = Math.max(2, Math.round((width * ph) / height / 2) * 2);
  const paths = frames.map((frame) => {
    const p = proxyFile(ctx, c.projectId, clipId, Math.max(0, Math.min(frame, c.frameCount - 1)));
    return existsSync(p) ? p : null;
  });
  return { paths, width: pw, height: ph };
}
