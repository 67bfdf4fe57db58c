// One shot's grade as the panel edits it: the library's state (version, undo/redo) and the draft on screen.
// A gesture (a slider drag) shows every step at once through onLiveChange and writes to the library once,
// on release, so the history holds one entry per gesture.
import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_GRADE, type GradeParams } from '../../../src-main/common/colour/grade';
import type { EventPayload, GradeState, Shot } from '../../../src-main/common/contract';
import { useApi, useEvent } from '../../api';
import { copyGrade, type CopiedGrade } from './clipboard';

export function sameGrade(a: GradeParams, b: GradeParams): boolean {
  return (Object.keys(a) as (keyof GradeParams)[]).every((k) => a[k] === b[k]);
}

export function useGrade(shot: Shot | null, onLiveChange?: (params: GradeParams) => void) {
  const api = useApi();
  const shotId = shot?.id ?? null;
  const [state, setState] = useState<GradeState | null>(null);
  const [draft, setDraft] = useState<GradeParams>(DEFAULT_GRADE);
  const [error, setError] = useState<string | null>(null);
  const live = useRef(onLiveChange);
  live.current = onLiveChange;
  const shown = useRef<GradeParams | null>(null);
  const current = useRef<string | null>(shotId);
  current.current = shotId;
  const committed = useRef<GradeParams>(DEFAULT_GRADE);
  /** True while a slider is held: library answers then update the history state but not the draft. */
  const gesture = useRef(false);
  /** Only the newest request's answer replaces the draft (a slow answer must not undo a newer move). */
  const seq = useRef(0);
  const pending = useRef<Promise<unknown>>(Promise.resolve());

  const show = useCallback((p: GradeParams) => {
    if (shown.current && sameGrade(shown.current, p)) return;
    shown.current = p;
    setDraft(p);
    live.current?.(p);
  }, []);

  const adopt = useCallback(
    (s: GradeState, mine: number) => {
      if (s.shotId !== current.current) return;
      setState(s);
      committed.current = s.params ?? DEFAULT_GRADE;
      if (mine === seq.current && !gesture.current) show(committed.current);
    },
    [show],
  );

  const answer = useCallback(
    async (call: Promise<{ ok: true; value: GradeState } | { ok: false; error: { message: string } }>) => {
      const mine = ++seq.current;
      pending.current = call;
      const r = await call;
      if (r.ok) {
        setError(null);
        adopt(r.value, mine);
      } else setError(r.error.message);
    },
    [adopt],
  );

  const reload = useCallback(() => {
    if (shotId) void answer(api.call('grades.get', { shotId }));
  }, [api, answer, shotId]);

  useEffect(() => {
    shown.current = null;
    setState(null);
    setError(null);
    reload();
  }, [reload]);

  const projectId = shot?.projectId ?? null;
  useEvent(
    'library.changed',
    useCallback(
      (e: EventPayload<'library.changed'>) => {
        if ((e.what === undefined || e.what === 'grades') && (e.projectId === null || e.projectId === projectId))
          reload();
      },
      [projectId, reload],
    ),
  );

  /** A slider moving: on screen now, in the library on release (see `commit`). */
  const preview = useCallback(
    (p: GradeParams) => {
      gesture.current = true;
      show(p);
    },
    [show],
  );

  /** One history entry (none when nothing changed). */
  const commit = useCallback(
    async (p: GradeParams) => {
      gesture.current = false;
      show(p);
      if (!shotId || sameGrade(p, committed.current)) return;
      await answer(api.call('grades.set', { shotId, params: p }));
    },
    [answer, api, show, shotId],
  );

  // Ctrl+Z with nothing to undo is no error, just nothing.
  const undo = useCallback(async () => {
    if (shotId && state?.canUndo) await answer(api.call('grades.undo', { shotId }));
  }, [answer, api, shotId, state]);
  const redo = useCallback(async () => {
    if (shotId && state?.canRedo) await answer(api.call('grades.redo', { shotId }));
  }, [answer, api, shotId, state]);

  const copy = useCallback(() => {
    if (shotId && state) copyGrade({ shotId, version: state.version, params: committed.current });
  }, [shotId, state]);

  /** Copies the panel's shot's grade to other shots, each as an undoable version. */
  const applyTo = useCallback(
    async (targets: string[]) => {
      const to = targets.filter((id) => id !== shotId);
      if (!shotId || to.length === 0) return;
      await pending.current;
      const r = await api.call('grades.copy', { fromShotId: shotId, toShotIds: to });
      setError(r.ok ? null : r.error.message);
    },
    [api, shotId],
  );

  /**
   * The copied grade onto shots: one library copy while the source still has the copied version,
   * otherwise the copied values set on each (the source has been graded since).
   */
  const paste = useCallback(
    async (c: CopiedGrade, targets: string[]) => {
      const src = await api.call('grades.get', { shotId: c.shotId });
      const to = src.ok && src.value.version === c.version ? targets.filter((id) => id !== c.shotId) : targets;
      if (to.length === 0) return;
      const results =
        src.ok && src.value.version === c.version
          ? [await api.call('grades.copy', { fromShotId: c.shotId, toShotIds: to })]
          : await Promise.all(to.map((id) => api.call('grades.set', { shotId: id, params: c.params })));
      const failed = results.find((r) => !r.ok);
      setError(failed && !failed.ok ? failed.error.message : null);
      if (shotId && to.includes(shotId)) reload();
    },
    [api, reload, shotId],
  );

  return { state, draft, error, preview, commit, undo, redo, copy, paste, applyTo };
}
