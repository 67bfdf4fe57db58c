// Split and merge, from the keys (S, M) and the shot panel's buttons alike. A refusal is a notice, not a block.
import { useCallback } from 'react';
import type { Shot } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { useNotify, useReportFailure } from '../status-bar';
import type { Playhead } from './programme';

/** The shots M merges: the selection when it holds several, otherwise the shot under the playhead and the next. */
export function mergeTargets(shots: Shot[], selected: ReadonlySet<string>, playhead: Playhead | null): string[] {
  if (selected.size > 1) return shots.filter((s) => selected.has(s.id)).map((s) => s.id);
  if (!playhead) return [];
  const i = shots.findIndex((s) => s.id === playhead.shot.id);
  const next = shots[i + 1];
  return next && next.clipId === playhead.shot.clipId && next.firstFrame === playhead.shot.lastFrame + 1
    ? [playhead.shot.id, next.id]
    : [];
}

export function useShotEdits(shots: Shot[], selected: ReadonlySet<string>, playhead: Playhead | null) {
  const api = useApi();
  const notify = useNotify();
  const report = useReportFailure();
  const canSplit = !!playhead && playhead.frame > playhead.shot.firstFrame;
  const targets = mergeTargets(shots, selected, playhead);

  const split = useCallback(async () => {
    if (!playhead) return;
    if (playhead.frame <= playhead.shot.firstFrame) {
      notify({
        severity: 'info',
        message: 'The playhead is on the first frame of the shot: there is nothing to split off.',
      });
      return;
    }
    await report('Split', api.call('shots.split', { shotId: playhead.shot.id, frame: playhead.frame }));
  }, [api, notify, report, playhead]);

  const merge = useCallback(async () => {
    if (targets.length < 2) {
      notify({
        severity: 'info',
        message:
          'Nothing to merge: select adjacent shots of one clip (Shift+click), or put the playhead on a shot whose next shot continues it.',
      });
      return;
    }
    await report('Merge', api.call('shots.merge', { shotIds: targets }));
  }, [api, notify, report, targets]);

  return { split, merge, canSplit, canMerge: targets.length >= 2, mergeCount: targets.length };
}
