// Export a master: choose format, mastering display, range and path (with the size and time it will take),
// then follow the export job to its end: the verification report of the master as read back, or the error.
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Stack,
  Typography,
} from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import type { ExportRecord, Job, Shot } from '../../../src-main/common/contract';
import { useApi, useCall, useEvent } from '../../api';
import { JobRow } from '../jobs';
import { ExportForm, exportRequest, type ExportSettings } from './ExportForm';
import { defaultOutputPath } from './format';
import { VerifyReportView } from './VerifyReportView';

const FINISHED: Job['state'][] = ['done', 'failed', 'cancelled'];
// Frames the in/out range starts with: a second of picture at the playhead's shot.
const DEFAULT_SPAN = 24;

export function ExportDialog({
  projectId,
  projectName,
  open,
  onClose,
  shots,
  selected,
  marks,
}: {
  projectId: string;
  projectName: string;
  open: boolean;
  onClose(): void;
  /** The timeline, in order. */
  shots: Shot[];
  selected: Shot | null;
  /** The timeline's in/out marks (programme frames, both included): the range the dialog opens on. */
  marks?: { first: number; last: number } | null;
}) {
  const api = useApi();
  const status = useCall('library.status', {});
  const mediaRoots = api.transport === 'websocket' ? (status.value?.mediaRoots ?? []) : null;
  const [settings, setSettings] = useState<ExportSettings | null>(null);
  const [run, setRun] = useState<{ jobId: string; exportId: string } | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [record, setRecord] = useState<ExportRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (!open || settings || !status.value) return;
    let start = 0;
    for (const s of shots) {
      if (s.id === selected?.id) break;
      start += s.lastFrame - s.firstFrame + 1;
    }
    const end = selected ? start + selected.lastFrame - selected.firstFrame : start;
    setSettings({
      format: 'hdr10-hevc',
      mastering: 'p3-1000',
      ...(marks
        ? { range: 'frames', first: String(marks.first), last: String(marks.last) }
        : { range: 'all', first: String(start), last: String(Math.min(end, start + DEFAULT_SPAN - 1)) }),
      out: defaultOutputPath(status.value.mediaRoots[0], projectName, 'hdr10-hevc'),
      force: false,
      raster: 'rendered',
    });
  }, [open, settings, status.value, shots, selected, projectName, marks]);
  // Marks set since the last export are the range again at each opening; the rest of the settings stay.
  useEffect(() => {
    if (open && marks)
      setSettings((s) => s && { ...s, range: 'frames', first: String(marks.first), last: String(marks.last) });
  }, [open, marks]);

  useEvent(
    'job.progress',
    useCallback((j: Job) => run && j.id === run.jobId && setJob(j), [run]),
  );
  useEffect(() => {
    if (!run) return;
    void api.call('jobs.get', { jobId: run.jobId }).then((r) => r.ok && setJob((prev) => prev ?? r.value));
  }, [api, run]);

  // When the job ends, its export record holds the verification report (or the error).
  const finished = job && FINISHED.includes(job.state) ? job : null;
  useEffect(() => {
    if (!run || !finished) return;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = () =>
      void api.call('exports.list', { projectId }).then((r) => {
        const rec = r.ok ? r.value.find((x) => x.id === run.exportId) : undefined;
        if (rec && rec.state !== 'running') return setRecord(rec);
        if (++tries < 10) timer = setTimeout(look, 300);
        else
          setError(
            r.ok
              ? (finished.error ??
                  `The export ${finished.state === 'done' ? 'ended' : finished.state} without a report.`)
              : r.error.message,
          );
      });
    look();
    return () => clearTimeout(timer);
  }, [api, projectId, run, finished]);

  const reset = () => {
    setRun(null);
    setJob(null);
    setRecord(null);
    setError(null);
  };
  const ended = !!record || (!!run && !!error);
  const close = () => {
    // A finished export starts the next one afresh; a running one keeps going and can be followed again.
    if (ended) reset();
    onClose();
  };

  const request = settings ? exportRequest(projectId, settings, shots, selected) : 'Loading…';
  const start = async () => {
    if (typeof request === 'string') return;
    setStarting(true);
    const r = await api.call('exports.start', request);
    setStarting(false);
    if (!r.ok) return setError(r.error.message);
    setError(null);
    setRun(r.value);
  };

  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="md" data-testid="export-dialog">
      <DialogTitle>{record ? 'Export report' : run ? 'Exporting' : 'Export master'}</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 320 }}>
        {record ? (
          <VerifyReportView record={record} />
        ) : run ? (
          <Stack sx={{ gap: 2 }} data-testid="export-progress">
            <Typography variant="body2" color="text.secondary">
              Renders the shots that are not rendered yet, writes the master, then reads it back and checks it.
            </Typography>
            {job && !finished ? <JobRow job={job} /> : <LinearProgress />}
            {error && (
              <Alert severity="error" data-testid="export-error">
                {error}
              </Alert>
            )}
          </Stack>
        ) : settings ? (
          <Stack sx={{ gap: 2 }}>
            <ExportForm
              projectId={projectId}
              settings={settings}
              onChange={setSettings}
              shots={shots}
              selected={selected}
              mediaRoots={mediaRoots}
            />
            {error && (
              <Alert severity="error" data-testid="export-error">
                {error}
              </Alert>
            )}
          </Stack>
        ) : (
          <LinearProgress />
        )}
      </DialogContent>
      <DialogActions>
        {ended ? (
          <>
            <Button onClick={reset} data-testid="export-again">
              New export
            </Button>
            <Button variant="contained" onClick={close} data-testid="export-close">
              Close
            </Button>
          </>
        ) : run ? (
          <Button onClick={close}>Hide (keeps exporting)</Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button
              variant="contained"
              disabled={typeof request === 'string' || starting}
              onClick={() => void start()}
              data-testid="export-start"
            >
              Export
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
