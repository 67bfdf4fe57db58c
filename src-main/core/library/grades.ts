// Grades: each shot's history of grade versions, with undo, redo and copy.
import { ServiceError, type GradeParams, type GradeState } from '../../common/contract';
import type { LibraryApiPart } from './api';
import { now, type LibraryContext } from './context';
import { deleteVersionsFrom, hasLaterVersion, insertGradeVersion, selectGradeVersion } from './grades-repo';
import { touchProject } from './projects-repo';
import { requireShot, updateGradeVersion } from './shots-repo';

export function gradeState(ctx: LibraryContext, shotId: string): GradeState {
  const s = requireShot(ctx.db, shotId);
  const params = s.grade_version > 0 ? selectGradeVersion(ctx.db, shotId, s.grade_version) : null;
  return {
    shotId,
    version: s.grade_version,
    params: params ?? null,
    canUndo: s.grade_version > 0,
    canRedo: hasLaterVersion(ctx.db, shotId, s.grade_version),
  };
}

export const currentGrade = (ctx: LibraryContext, shotId: string): GradeParams | null => gradeState(ctx, shotId).params;

/** A new current version (inside a write): any redo branch is dropped. */
export function pushGrade(ctx: LibraryContext, shotId: string, params: GradeParams | null): void {
  const s = requireShot(ctx.db, shotId);
  const v = s.grade_version + 1;
  deleteVersionsFrom(ctx.db, shotId, v);
  insertGradeVersion(ctx.db, shotId, v, params, now());
  updateGradeVersion(ctx.db, shotId, v);
  touchProject(ctx.db, s.project_id, now());
}

/** Moves a shot's current version back or forward through its history. */
function step(ctx: LibraryContext, shotId: string, by: -1 | 1): GradeState {
  const s = ctx.read(() => requireShot(ctx.db, shotId));
  if (by < 0 && s.grade_version === 0) throw new ServiceError('conflict', 'Nothing to undo for this shot');
  if (by > 0 && !gradeState(ctx, shotId).canRedo) throw new ServiceError('conflict', 'Nothing to redo for this shot');
  ctx.write(() => updateGradeVersion(ctx.db, shotId, s.grade_version + by));
  ctx.changed(s.project_id, 'grades');
  return gradeState(ctx, shotId);
}

export function gradesApi(
  ctx: LibraryContext,
): LibraryApiPart<'grades.get' | 'grades.set' | 'grades.undo' | 'grades.redo' | 'grades.copy'> {
  return {
    'grades.get': ({ shotId }) => ctx.read(() => gradeState(ctx, shotId)),
    'grades.set': ({ shotId, params }) => {
      const s = ctx.read(() => requireShot(ctx.db, shotId));
      ctx.write(() => pushGrade(ctx, shotId, params));
      ctx.changed(s.project_id, 'grades');
      return gradeState(ctx, shotId);
    },
    'grades.undo': ({ shotId }) => step(ctx, shotId, -1),
    'grades.redo': ({ shotId }) => step(ctx, shotId, 1),
    'grades.copy': ({ fromShotId, toShotIds }) => {
      const src = ctx.read(() => requireShot(ctx.db, fromShotId));
      const params = ctx.read(() => currentGrade(ctx, fromShotId));
      ctx.write(() => {
        for (const id of toShotIds) {
          const t = requireShot(ctx.db, id);
          if (t.project_id !== src.project_id)
            throw new ServiceError('bad_input', 'Grades can only be copied within a project');
          if (id !== fromShotId) pushGrade(ctx, id, params);
        }
      });
      ctx.changed(src.project_id, 'grades');
      return toShotIds.map((id) => gradeState(ctx, id));
    },
  };
}
