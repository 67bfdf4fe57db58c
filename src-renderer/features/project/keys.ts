// The project screen's keys, in one table: what the shortcuts dialog lists and what the timeline acts on.
// The viewer owns Space/J/K/L/F/Z and the grade panel Ctrl+Z/Y/C/V; they are listed here so the dialog is whole,
// but only the timeline's commands are dispatched from here. No key acts while the colorist types or holds
// a slider (its arrows are the slider's).

export type TimelineCommand =
  | 'prevFrame'
  | 'nextFrame'
  | 'prevShot'
  | 'nextShot'
  | 'start'
  | 'end'
  | 'markIn'
  | 'markOut'
  | 'clearMarks'
  | 'split'
  | 'merge'
  | 'zoomIn'
  | 'zoomOut'
  | 'shortcuts';

export interface KeyHelp {
  keys: string[];
  does: string;
}

export const KEY_GROUPS: { title: string; keys: KeyHelp[] }[] = [
  {
    title: 'Viewer',
    keys: [
      { keys: ['Space'], does: 'Play / pause' },
      { keys: ['J', 'K', 'L'], does: 'Shuttle: reverse, stop, forward (press again: faster)' },
      { keys: ['F', 'Z'], does: 'Fit the picture / show it 1:1' },
    ],
  },
  {
    title: 'Timeline',
    keys: [
      { keys: ['←', '→'], does: 'One frame back / forward' },
      { keys: ['↑', '↓'], does: 'Previous / next shot' },
      { keys: ['Home', 'End'], does: 'First / last frame of the timeline' },
      { keys: ['I', 'O'], does: 'Mark in / out at the playhead (the range for export)' },
      { keys: ['X'], does: 'Clear the in and out marks' },
      { keys: ['S'], does: 'Split the shot at the playhead' },
      { keys: ['M'], does: 'Merge the selected shots (one shot: with the next)' },
      { keys: ['Shift+click', 'Ctrl+click'], does: 'Select a range of shots / add or remove one' },
      { keys: ['+', '−'], does: 'Zoom the timeline in / out (also Ctrl+wheel)' },
    ],
  },
  {
    title: 'Grade',
    keys: [
      { keys: ['Ctrl+Z'], does: 'Undo' },
      { keys: ['Ctrl+Shift+Z', 'Ctrl+Y'], does: 'Redo' },
      { keys: ['Ctrl+C', 'Ctrl+V'], does: 'Copy the grade / paste it to the selected shots' },
    ],
  },
  { title: 'Help', keys: [{ keys: ['?'], does: 'This list' }] },
];

const PLAIN: Record<string, TimelineCommand> = {
  ArrowLeft: 'prevFrame',
  ArrowRight: 'nextFrame',
  ArrowUp: 'prevShot',
  ArrowDown: 'nextShot',
  Home: 'start',
  End: 'end',
  i: 'markIn',
  o: 'markOut',
  x: 'clearMarks',
  s: 'split',
  m: 'merge',
  '+': 'zoomIn',
  '=': 'zoomIn',
  '-': 'zoomOut',
  '?': 'shortcuts',
};

interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** The timeline command for a key press, or null (modified keys belong to others: Ctrl+S is not S). */
export function timelineCommand(e: Keys): TimelineCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  return PLAIN[e.key.length === 1 ? e.key.toLowerCase() : e.key] ?? null;
}

/** True where a key belongs to the focused control: text, a slider, a menu or list, an open dialog; and the
 * arrows, Home and End where the control moves with them (tabs, radio buttons). */
export function keyBelongsToFocus(target: EventTarget | null, key: string): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.isContentEditable) return true;
  if (
    el.closest(
      'input:not([type="checkbox"]):not([type="radio"]):not([type="button"]), textarea, select, [role="slider"], [role="combobox"], [role="listbox"], [role="menu"], [role="dialog"]',
    )
  )
    return true;
  const moves = key.startsWith('Arrow') || key === 'Home' || key === 'End';
  return moves && !!el.closest('[role="tablist"], [role="radiogroup"], input[type="radio"]');
}
