// The render queue: this project's render and export jobs, each with its frames, speed, time left and
// Pause/Resume/Cancel; finished ones stay (with their error, if any) until cleared.
import { Alert, Box, Button, IconButton, Stack, Typography } from '@mui/material';
import ExpandLessIcon from '@mui/icons-material/ExpandLess';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import { memo, useState } from 'react';
import type { Job } from '../../../src-main/common/contract';
import { isActive, JobRow, useJobs } from '../jobs';

const KINDS: Job['kind'][] = ['render', 'export'];
const LABEL = { render: 'Render', export: 'Export' } as Record<Job['kind'], string>;

function RenderQueueView({ projectId }: { projectId: string }) {
  const { jobs, dismiss } = useJobs(projectId, KINDS);
  const [open, setOpen] = useState(true);
  if (jobs.length === 0) return null;
  const active = jobs.filter(isActive);
  const done = jobs.filter((j) => !isActive(j));
  return (
    <Box sx={{ borderTop: 1, borderColor: 'divider', px: 2, py: 0.5 }} data-testid="render-queue">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
        <IconButton
          size="small"
          onClick={() => setOpen(!open)}
          aria-label={open ? 'Collapse the render queue' : 'Expand the render queue'}
        >
          {open ? <ExpandMoreIcon fontSize="small" /> : <ExpandLessIcon fontSize="small" />}
        </IconButton>
        <Typography variant="caption" sx={{ flex: 1 }}>
          {['Render queue', ...summary(active), ...(done.length > 0 ? [`${done.length} finished`] : [])].join(' · ')}
        </Typography>
        {done.length > 0 && (
          <Button size="small" onClick={() => done.forEach((j) => dismiss(j.id))}>
            Clear finished
          </Button>
        )}
      </Stack>
      {open && (
        <Stack sx={{ gap: 0.5, pb: 0.5, maxHeight: 132, overflow: 'auto' }}>
          {jobs.map((j) =>
            isActive(j) ? (
              <JobRow key={j.id} job={j} label={LABEL[j.kind]} />
            ) : (
              <Finished key={j.id} job={j} onDismiss={() => dismiss(j.id)} />
            ),
          )}
        </Stack>
      )}
    </Box>
  );
}

/** "1 running · 1 paused · 2 waiting": a paused job is not running. */
function summary(active: Job[]): string[] {
  const count = (state: Job['state'], word: string): string[] => {
    const n = active.filter((j) => j.state === state).length;
    return n > 0 ? [`${n} ${word}`] : [];
  };
  const parts = [...count('running', 'running'), ...count('paused', 'paused'), ...count('queued', 'waiting')];
  return parts.length > 0 ? parts : ['nothing running'];
}

function Finished({ job, onDismiss }: { job: Job; onDismiss(): void }) {
  const severity = job.state === 'failed' ? 'error' : job.state === 'cancelled' || job.error ? 'warning' : 'success';
  const text =
    job.state === 'failed'
      ? `failed: ${job.error ?? job.message}`
      : job.state === 'cancelled'
        ? 'cancelled'
        : `done${job.message ? ` · ${job.message}` : ''}${job.error ? ` · ${job.error}` : ''}`;
  return (
    <Alert
      severity={severity}
      onClose={onDismiss}
      sx={{ py: 0 }}
      data-testid="render-queue-finished"
      data-state={job.state}
    >
      {LABEL[job.kind]} {text}
    </Alert>
  );
}

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const RenderQueue = memo(RenderQueueView);
