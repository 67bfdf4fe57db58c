// The grade panel's keys. They never fire while the colorist types in a text field.

export type GradeCommand = 'undo' | 'redo' | 'copy' | 'paste';

interface Keys {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Ctrl (⌘ on macOS) + Z undo, + Shift + Z or Y redo, + C copy, + V paste. */
export function gradeCommand(e: Keys): GradeCommand | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (e.shiftKey) return null;
  if (k === 'y') return 'redo';
  if (k === 'c') return 'copy';
  if (k === 'v') return 'paste';
  return null;
}

// Input types where Ctrl+Z/C/V belong to the text (a slider's range input is not one).
const TEXT_INPUTS = new Set(['', 'text', 'search', 'number', 'email', 'url', 'tel', 'password']);

export function isTextEntry(target: EventTarget | null): boolean {
  const el = target as (HTMLElement & { type?: string }) | null;
  if (!el || typeof el.tagName !== 'string') return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA') return true;
  return tag === 'INPUT' && TEXT_INPUTS.has((el.type ?? '').toLowerCase());
}
