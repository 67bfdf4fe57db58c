// Which shots are selected (the grade panel pastes to them, M merges them). Moving the playhead onto another
// shot selects that shot alone; Shift+click extends from the last shot clicked, Ctrl/⌘+click toggles one.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Shot } from '../../../src-main/common/contract';
import { shotsBetween } from './programme';
import type { SelectMode } from './Timeline';

export function useSelection(shots: Shot[], currentShotId: string | null) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | null>(null);

  // The playhead's shot becomes the selection when the playhead moves to another shot.
  useEffect(() => {
    if (!currentShotId) return;
    setSelected((prev) => (prev.size === 1 && prev.has(currentShotId) ? prev : new Set([currentShotId])));
    anchor.current = currentShotId;
  }, [currentShotId]);

  // Shots merged away or deleted leave the selection.
  useEffect(() => {
    const ids = new Set(shots.map((s) => s.id));
    setSelected((prev) => {
      const kept = [...prev].filter((id) => ids.has(id));
      if (kept.length === prev.size) return prev;
      return new Set(kept.length ? kept : currentShotId && ids.has(currentShotId) ? [currentShotId] : []);
    });
  }, [shots, currentShotId]);

  const select = useCallback(
    (shotId: string, mode: SelectMode) => {
      setSelected((prev) => {
        if (mode === 'range' && anchor.current) return new Set(shotsBetween(shots, anchor.current, shotId));
        anchor.current = shotId;
        if (mode === 'toggle') {
          const next = new Set(prev);
          if (next.has(shotId)) next.delete(shotId);
          else next.add(shotId);
          return next;
        }
        return new Set([shotId]);
      });
    },
    [shots],
  );
  return { selected, select };
}
