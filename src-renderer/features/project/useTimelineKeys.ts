// The timeline's keys (keys.ts) on the window. The viewer and the grade panel listen to their own keys; none
// of these fires while a text field, slider, menu or dialog has the focus.
import { useEffect, useRef } from 'react';
import { keyBelongsToFocus, timelineCommand, type TimelineCommand } from './keys';

export function useTimelineKeys(act: (command: TimelineCommand) => void): void {
  const latest = useRef(act);
  latest.current = act;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || keyBelongsToFocus(e.target, e.key)) return;
      const command = timelineCommand(e);
      if (!command) return;
      e.preventDefault();
      latest.current(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
