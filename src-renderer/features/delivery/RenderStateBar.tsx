// A shot's render state at a glance, as a thin bar across the top of its timeline block: green rendered,
// amber stale (why, on hover), moving stripes while rendering, red failed; nothing when never rendered.
import { Box, Tooltip } from '@mui/material';
import { keyframes } from '@mui/material/styles';
import type { ShotRenderStatus } from '../../../src-main/common/contract';

const COLOUR = { rendered: '#5cb85c', stale: '#e0a030', rendering: '#8fb4d8', failed: '#d9534f' } as const;

const crawl = keyframes`from { background-position: 0 0; } to { background-position: 24px 0; }`;

export function renderStateLabel(s: ShotRenderStatus): string {
  switch (s.state) {
    case 'none':
      return 'Not rendered';
    case 'rendered':
      return 'Rendered';
    case 'stale':
      return `Stale: ${s.reason ?? 'changed since its render'}`;
    case 'rendering':
      return 'Rendering';
    case 'failed':
      return `Render failed: ${s.reason ?? 'unknown error'}`;
  }
}

export function RenderStateBar({ status }: { status: ShotRenderStatus | undefined }) {
  if (!status || status.state === 'none') return null;
  const colour = COLOUR[status.state];
  const light =
    status.state === 'rendered' && status.maxCll !== null
      ? ` · MaxCLL ${Math.round(status.maxCll)} nits, MaxFALL ${Math.round(status.maxFall ?? 0)} nits`
      : '';
  const label = renderStateLabel(status) + light;
  return (
    <Tooltip title={label} enterDelay={300}>
      <Box
        data-testid="shot-render-state"
        data-state={status.state}
        aria-label={label}
        sx={{
          position: 'absolute',
          left: 0,
          right: 0,
          top: 0,
          height: 6,
          zIndex: 1,
          bgcolor: colour,
          ...(status.state === 'rendering' && {
            backgroundImage: `repeating-linear-gradient(45deg, ${colour} 0 6px, #3d5a75 6px 12px)`,
            backgroundSize: '24px 6px',
            animation: `${crawl} 0.8s linear infinite`,
          }),
        }}
      />
    </Tooltip>
  );
}
