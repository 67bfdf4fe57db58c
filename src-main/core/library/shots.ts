// Shots on a project's timeline: list, split, merge, reorder.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { DEFAULT_GRADE } from '../../common/colour';
import { GradeParams, ServiceError, type ProbeResult, type Shot } from '../../common/contract';
import type { LibraryApiPart } from './api';
import { now, type LibraryContext } from './context';
import { currentGrade, pushGrade } from './grades';
import { requireProject, touchProject } from './projects-repo';
import {
  deleteShotRow,
  insertShot,
  renumber,
  requireShot,
  selectShotIds,
  selectTimeline,
  setOrder,
  shiftShotsAfter,
  updateLastFrame,
} from './shots-repo';
import { formatTimecode } from '../../common/timecode';

export function listShots(ctx: LibraryContext, projectId: string): Shot[] {
  return ctx.read(() => {
    requireProject(ctx.db, projectId);
    const probes = new Map<string, ProbeResult>();
    return selectTimeline(ctx.db, projectId).map((r) => {
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
        content: r.grade_json ? GradeParams.parse(JSON.parse(r.grade_json)).content : DEFAULT_GRADE.content,
      };
    });
  });
}

export function shotsApi(
  ctx: LibraryContext,
): LibraryApiPart<'shots.list' | 'shots.split' | 'shots.merge' | 'shots.reorder'> {
  const { db } = ctx;
  return {
    'shots.list': ({ projectId }) => listShots(ctx, projectId),
    'shots.split': ({ shotId, frame }) => {
      const s = ctx.read(() => requireShot(db, shotId));
      if (frame <= s.first_frame || frame > s.last_frame)
        throw new ServiceError(
          'bad_input',
          `Frame ${frame} is not inside shot ${s.first_frame}..${s.last_frame} (the new shot must start after its first frame)`,
        );
      ctx.write(() => {
        const params = currentGrade(ctx, shotId);
        shiftShotsAfter(db, s.project_id, s.ord);
        updateLastFrame(db, shotId, frame - 1);
        const id = randomUUID();
        insertShot(db, {
          id,
          project_id: s.project_id,
          clip_id: s.clip_id,
          first_frame: frame,
          last_frame: s.last_frame,
          ord: s.ord + 1,
        });
        if (params) pushGrade(ctx, id, params);
        touchProject(db, s.project_id, now());
      });
      ctx.changed(s.project_id, 'shots');
      return listShots(ctx, s.project_id);
    },
    'shots.merge': ({ shotIds }) => {
      const rows = ctx.read(() => shotIds.map((id) => requireShot(db, id)));
      const first = rows[0];
      if (new Set(rows.map((r) => r.id)).size !== rows.length)
        throw new ServiceError('bad_input', 'A shot is listed twice');
      if (rows.some((r) => r.project_id !== first.project_id || r.clip_id !== first.clip_id))
        throw new ServiceError('bad_input', 'Only shots of the same clip can be merged');
      const sorted = [...rows].sort((a, b) => a.first_frame - b.first_frame);
      for (let i = 1; i < sorted.length; i++) {
        const [a, b] = [sorted[i - 1], sorted[i]];
        if (b.first_frame !== a.last_frame + 1)
          throw new ServiceError(
            'bad_input',
            `Shots ${a.first_frame}..${a.last_frame} and ${b.first_frame}..${b.last_frame} are not contiguous`,
          );
      }
      const keep = sorted[0];
      ctx.write(() => {
        for (const r of sorted.slice(1)) deleteShotRow(db, r.id);
        updateLastFrame(db, keep.id, sorted[sorted.length - 1].last_frame);
        renumber(db, keep.project_id);
        touchProject(db, keep.project_id, now());
      });
      ctx.changed(keep.project_id, 'shots');
      return listShots(ctx, keep.project_id);
    },
    'shots.reorder': ({ projectId, shotIds }) => {
      ctx.write(() => {
        requireProject(db, projectId);
        const all = selectShotIds(db, projectId);
        const given = new Set(shotIds);
        if (given.size !== shotIds.length || all.length !== shotIds.length || all.some((id) => !given.has(id))) {
          throw new ServiceError(
            'bad_input',
            `A new order must list each of the project's ${all.length} shots exactly once`,
          );
        }
        setOrder(db, shotIds);
        touchProject(db, projectId, now());
      });
      ctx.changed(projectId, 'shots');
      return listShots(ctx, projectId);
    },
  };
}
