// The grade panel's live grade, straight to the viewer: the viewer draws it in the same task as the input
// event (a slider step, Enter in a field) instead of after the project screen has re-rendered around it.
import type { GradeParams } from '../../../src-main/common/colour/grade';

export class LiveGrade {
  private listener: ((g: GradeParams) => void) | null = null;

  /** The panel: a new grade is on its way to the screen's state; draw it now. */
  show(g: GradeParams): void {
    this.listener?.(g);
  }

  /** The viewer: where live grades go; returns the detach. */
  attach(listener: (g: GradeParams) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = null;
    };
  }
}
