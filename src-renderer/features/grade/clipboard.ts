// The copied grade: one per window, kept while the panel's shot changes (copy on one shot, paste on others).
import { useSyncExternalStore } from 'react';
import type { GradeParams } from '../../../src-main/common/colour/grade';

export interface CopiedGrade {
  shotId: string;
  /** The shot's grade version when copied: paste copies in the library while that is still current. */
  version: number;
  params: GradeParams;
}

let copied: CopiedGrade | null = null;
const listeners = new Set<() => void>();

export function copyGrade(c: CopiedGrade): void {
  copied = c;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useCopiedGrade(): CopiedGrade | null {
  return useSyncExternalStore(subscribe, () => copied);
}
