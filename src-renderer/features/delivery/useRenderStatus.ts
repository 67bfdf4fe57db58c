// Each shot's render state (rendered, stale and why, rendering, failed), kept current: reloaded when the
// library changes and as render or export jobs move (at most about once a second while they run).
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { Job, ShotRenderStatus } from '../../../src-main/common/contract';
import { useCall, useEvent } from '../../api';

const THROTTLE_MS = 1000;

export function useRenderStatus(projectId: string) {
  const status = useCall('renders.status', { projectId });
  const { reload } = status;
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(
    (now: boolean) => {
      if (pending.current && !now) return;
      if (pending.current) clearTimeout(pending.current);
      const wait = now ? 0 : Math.max(0, last.current + THROTTLE_MS - Date.now());
      pending.current = setTimeout(() => {
        pending.current = null;
        last.current = Date.now();
        void reload();
      }, wait);
    },
    [reload],
  );
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);

  useEvent(
    'library.changed',
    useCallback(
      (e: { projectId: string | null }) => (e.projectId === projectId || e.projectId === null) && refresh(true),
      [projectId, refresh],
    ),
  );
  useEvent(
    'job.progress',
    useCallback(
      (j: Job) => {
        if (j.projectId !== projectId || (j.kind !== 'render' && j.kind !== 'export')) return;
        // A state change (queued → running → done) shows at once; frame progress only now and then.
        refresh(j.state !== 'running');
      },
      [projectId, refresh],
    ),
  );

  const byShot = useMemo(
    () => new Map<string, ShotRenderStatus>((status.value ?? []).map((s) => [s.shotId, s])),
    [status.value],
  );
  return { byShot, error: status.error };
}
