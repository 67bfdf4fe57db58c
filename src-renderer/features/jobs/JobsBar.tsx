// Long work (import, shot detection, proxies, renders): a bar, an ETA and a Cancel button for each job,
// and the error of a job that failed (or finished with warnings) until dismissed.
import { memo } from 'react';
import { Alert, Stack } from '@mui/material';
import type { Job } from '../../../src-main/common/contract';
import { JobRow } from './JobRow';
import { isActive, useJobs } from './useJobs';

/** `kinds`: only these kinds of job (default all). */
function JobsBarView({ projectId, kinds }: { projectId: string | null; kinds?: readonly Job['kind'][] }) {
  const { jobs, dismiss } = useJobs(projectId, kinds);
  const visible = jobs.filter((j) => isActive(j) || j.state === 'failed' || (j.state === 'done' && j.error));
  if (visible.length === 0) return null;
  return (
    <Stack sx={{ gap: 1, px: 2, py: 1, borderTop: 1, borderColor: 'divider' }} data-testid="jobs-bar">
      {visible.map((j) =>
        isActive(j) ? (
          <JobRow key={j.id} job={j} />
        ) : (
          <Alert
            key={j.id}
            severity={j.state === 'failed' ? 'error' : 'warning'}
            data-testid="job-alert"
            onClose={() => dismiss(j.id)}
          >
            {j.state === 'failed' ? `${j.kind} failed: ${j.error ?? j.message}` : j.error}
          </Alert>
        ),
      )}
    </Stack>
  );
}

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const JobsBar = memo(JobsBarView);
