// The jobs of a project (or of the whole library) as they move: the active ones at mount, then every
// job.progress event. Finished jobs stay until dismissed, so their errors can be read.
import { useCallback, useEffect, useState } from 'react';
import type { Job } from '../../../src-main/common/contract';
import { useApi, useEvent } from '../../api';

export function useJobs(projectId: string | null, kinds?: readonly Job['kind'][]) {
  const api = useApi();
  const [jobs, setJobs] = useState<Map<string, Job>>(new Map());
  const kindKey = kinds?.join(',') ?? '';
  const wanted = useCallback(
    (j: Job) => (!projectId || j.projectId === projectId) && (kindKey === '' || kindKey.split(',').includes(j.kind)),
    [projectId, kindKey],
  );

  useEffect(() => {
    void api.call('jobs.list', projectId ? { projectId, activeOnly: true } : { activeOnly: true }).then((r) => {
      if (r.ok) setJobs(new Map(r.value.filter(wanted).map((j) => [j.id, j])));
    });
  }, [api, projectId, wanted]);

  useEvent(
    'job.progress',
    useCallback((j: Job) => wanted(j) && setJobs((prev) => new Map(prev).set(j.id, j)), [wanted]),
  );

  const dismiss = useCallback(
    (id: string) =>
      setJobs((prev) => {
        const next = new Map(prev);
        next.delete(id);
        return next;
      }),
    [],
  );
  return { jobs: [...jobs.values()], dismiss };
}

export function isActive(j: Job): boolean {
  return j.state === 'queued' || j.state === 'running' || j.state === 'paused';
}
