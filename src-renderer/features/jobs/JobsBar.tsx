// Long work (import, shot detection, proxies, renders): a bar, an ETA and a Cancel button for each job.
import { Alert, Box, Button, LinearProgress, Stack, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { Job } from '../../../src-main/common/contract';
import { useApi, useEvent } from '../../api';
import { formatEta } from './format';

export function JobsBar({ projectId }: { projectId: string | null }) {
  const api = useApi();
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());

  useEffect(() => {
    void api.call('jobs.list', projectId ? { projectId, activeOnly: true } : { activeOnly: true }).then((r) => {
      if (r.ok) setJobs(new Map(r.value.map((j) => [j.id, j])));
    });
  }, [api, projectId]);

  useEvent(
    'job.progress',
    useCallback(
      (j: Job) => {
        if (projectId && j.projectId !== projectId) return;
        setJobs((prev) => new Map(prev).set(j.id, j));
      },
      [projectId],
    ),
  );

  const visible = [...jobs.values()].filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'failed' || (j.state === 'done' && j.error));
  if (visible.length === 0) return null;
  return (
    <Stack sx={{ gap: 1, px: 2, py: 1, borderTop: 1, borderColor: 'divider' }} data-testid="jobs-bar">
      {visible.map((j) =>
        j.state === 'failed' || j.state === 'done' ? (
          <Alert
            key={j.id}
            severity={j.state === 'failed' ? 'error' : 'warning'}
            data-testid="job-alert"
            onClose={() => setJobs((prev) => {
              const next = new Map(prev);
              next.delete(j.id);
              return next;
            })}
          >
            {j.state === 'failed' ? `${j.kind} failed: ${j.error ?? j.message}` : j.error}
          </Alert>
        ) : (
          <Box key={j.id} sx={{ display: 'flex', alignItems: 'center', gap: 2 }} data-testid="job">
            <Typography variant="caption" sx={{ width: 260 }} noWrap>
              {j.message || j.kind}
            </Typography>
            <LinearProgress variant={j.state === 'queued' ? 'indeterminate' : 'determinate'} value={j.fraction * 100} sx={{ flex: 1 }} />
            <Typography variant="caption" sx={{ width: 130, textAlign: 'right' }} color="text.secondary">
              {Math.round(j.fraction * 100)}% {formatEta(j.etaSeconds)}
            </Typography>
            <Button size="small" onClick={() => void api.call('jobs.cancel', { jobId: j.id })}>
              Cancel
            </Button>
          </Box>
        ),
      )}
    </Stack>
  );
}
