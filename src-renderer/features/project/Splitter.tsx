// A drag handle between two panels. It reports the panel's new size; double-click restores the default.
import { Box } from '@mui/material';
import { useRef } from 'react';

export function Splitter({
  direction,
  size,
  invert = false,
  onResize,
  onReset,
  testId,
}: {
  /** 'column': a vertical bar resizing widths; 'row': a horizontal bar resizing heights. */
  direction: 'column' | 'row';
  size: number;
  /** The panel lies before the handle (left/above) when false, after it when true. */
  invert?: boolean;
  onResize(size: number): void;
  onReset(): void;
  testId: string;
}) {
  const start = useRef<{ at: number; size: number } | null>(null);
  const axis = (e: React.PointerEvent) => (direction === 'column' ? e.clientX : e.clientY);
  return (
    <Box
      role="separator"
      aria-orientation={direction === 'column' ? 'vertical' : 'horizontal'}
      data-testid={testId}
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { at: axis(e), size };
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        const delta = axis(e) - start.current.at;
        onResize(start.current.size + (invert ? -delta : delta));
      }}
      onPointerUp={() => (start.current = null)}
      onDoubleClick={onReset}
      sx={{
        flex: 'none',
        bgcolor: 'divider',
        ...(direction === 'column' ? { width: 4, cursor: 'col-resize' } : { height: 4, cursor: 'row-resize' }),
        '&:hover': { bgcolor: 'primary.dark' },
        touchAction: 'none',
      }}
    />
  );
}
