// One job in hand: what it is doing, a bar, the time left, and the buttons that act on it. Renders and
// exports pause between frames; other jobs only cancel.
import { Box, Button, LinearProgress, Typography } from '@mui/material';
import type { Job } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { formatEta } from '../../../src-main/common/eta';

const PAUSABLE: readonly Job['kind'][] = ['render', 'export'];

export function JobRow({ job, label }: { job: Job; label?: string }) {
  const api = useApi();
  const paused = job.state === 'paused';
  return (
    <Box
      sx={{ display: 'flex', alignItems: 'center', gap: 2 }}
      data-testid="job"
      data-kind={job.kind}
      data-state={job.state}
    >
      <Typography variant="caption" sx={{ flex: '0 1 460px', minWidth: 160 }} noWrap title={job.message}>
        {label ? `${label} · ` : ''}
        {job.message || job.kind}
      </Typography>
      <LinearProgress
        variant={job.state === 'queued' ? 'indeterminate' : 'determinate'}
        value={job.fraction * 100}
        color={paused ? 'inherit' : 'primary'}
        sx={{ flex: 1, minWidth: 80 }}
      />
      <Typography
        variant="caption"
        sx={{ width: 140, flexShrink: 0, textAlign: 'right' }}
        color="text.secondary"
        data-testid="job-eta"
      >
        {Math.round(job.fraction * 100)}% {paused ? 'paused' : formatEta(job.etaSeconds)}
      </Typography>
      {PAUSABLE.includes(job.kind) && (
        <Button
          size="small"
          disabled={job.state === 'queued'}
          onClick={() => void api.call(paused ? 'jobs.resume' : 'jobs.pause', { jobId: job.id })}
          data-testid={paused ? 'job-resume' : 'job-pause'}
        >
          {paused ? 'Resume' : 'Pause'}
        </Button>
      )}
      <Button size="small" onClick={() => void api.call('jobs.cancel', { jobId: job.id })} data-testid="job-cancel">
        Cancel
      </Button>
    </Box>
  );
}
