// The grade the viewer shows: the grade panel's live one while the colorist adjusts, otherwise the shot's
// stored grade (grades.get), otherwise the default.
import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_GRADE, type GradeParams } from '../../../src-main/common/colour/grade';
import type { Shot } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function useShotGrade(shot: Shot | null) {
  const api = useApi();
  const shotId = shot?.id ?? null;
  const [stored, setStored] = useState<{ shotId: string; params: GradeParams } | null>(null);
  const [live, setLive] = useState<{ shotId: string; params: GradeParams } | null>(null);
  const current = useRef(shotId);
  current.current = shotId;

  useEffect(() => {
    if (!shotId) return;
    let stale = false;
    void api.call('grades.get', { shotId }).then((r) => {
      if (!stale && r.ok) setStored({ shotId, params: r.value.params ?? DEFAULT_GRADE });
    });
    return () => {
      stale = true;
    };
  }, [api, shotId, shot?.gradeVersion]);

  const onLiveChange = useCallback((params: GradeParams) => {
    if (current.current) setLive({ shotId: current.current, params });
  }, []);

  const grade =
    live && live.shotId === shotId ? live.params : stored && stored.shotId === shotId ? stored.params : DEFAULT_GRADE;
  return { grade, onLiveChange };
}
