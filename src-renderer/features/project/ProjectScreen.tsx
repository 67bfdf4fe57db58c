// One project: clips, the shot timeline, a viewer on the frame under the playhead, and the selected shot.
import { Alert, Box, Button, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import FileUploadIcon from '@mui/icons-material/FileUploadOutlined';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Shot } from '../../../src-main/common/contract';
import { useCall, useEvent } from '../../api';
import { ImportDialog } from '../import';
import { JobsBar } from '../jobs';
import { ClipList } from './ClipList';
import { ShotPanel } from './ShotPanel';
import { Timeline } from './Timeline';
import { Viewer } from './Viewer';

export interface Playhead {
  shot: Shot;
  /** Frame number within the shot's clip. */
  frame: number;
}

export function ProjectScreen({ projectId, onBack }: { projectId: string; onBack(): void }) {
  const project = useCall('library.getProject', { projectId });
  const { reload } = project;
  const [importing, setImporting] = useState(false);
  const [playhead, setPlayhead] = useState<Playhead | null>(null);

  useEvent(
    'library.changed',
    useCallback((e: { projectId: string | null }) => {
      if (e.projectId === projectId || e.projectId === null) void reload();
    }, [projectId, reload]),
  );
  useEvent(
    'job.progress',
    useCallback((j: { projectId: string | null; state: string }) => {
      if (j.projectId === projectId && (j.state === 'done' || j.state === 'failed')) void reload();
    }, [projectId, reload]),
  );

  const detail = project.value;
  const shots = useMemo(() => (detail ? [...detail.shots].sort((a, b) => a.order - b.order) : []), [detail]);
  const clips = useMemo(() => new Map((detail?.clips ?? []).map((c) => [c.id, c])), [detail]);

  // Keep the playhead on a shot that still exists (after split/merge/re-import).
  useEffect(() => {
    if (shots.length === 0) return setPlayhead(null);
    setPlayhead((p) => {
      const same = p && shots.find((s) => s.id === p.shot.id);
      if (same) return { shot: same, frame: Math.min(Math.max(p.frame, same.firstFrame), same.lastFrame) };
      const covering = p && shots.find((s) => s.clipId === p.shot.clipId && p.frame >= s.firstFrame && p.frame <= s.lastFrame);
      if (covering) return { shot: covering, frame: p.frame };
      return { shot: shots[0], frame: shots[0].firstFrame };
    });
  }, [shots]);

  const clip = playhead ? clips.get(playhead.shot.clipId) ?? null : null;
  const missing = detail?.clips.filter((c) => c.status !== 'ok') ?? [];

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%' }} data-testid="project-screen">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, px: 1, py: 0.5, borderBottom: 1, borderColor: 'divider' }}>
        <Tooltip title="All projects">
          <IconButton onClick={onBack} size="small" aria-label="All projects">
            <ArrowBackIcon fontSize="small" />
          </IconButton>
        </Tooltip>
        <Typography variant="subtitle1" sx={{ flex: 1 }} data-testid="project-name-title">
          {detail?.project.name ?? ''}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {detail ? `${detail.clips.length} clip${detail.clips.length === 1 ? '' : 's'} · ${shots.length} shot${shots.length === 1 ? '' : 's'}` : ''}
        </Typography>
        <Button size="small" startIcon={<FileUploadIcon />} onClick={() => setImporting(true)}>
          Import
        </Button>
      </Stack>
      {project.error && <Alert severity="error">{project.error.message}</Alert>}
      {missing.length > 0 && (
        <Alert severity="warning" sx={{ borderRadius: 0 }}>
          {missing.length} clip{missing.length === 1 ? ' is' : 's are'} offline or changed: {missing.map((c) => c.name).join(', ')}. Relink them in the clip list.
        </Alert>
      )}
      <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
        <Box sx={{ flex: 1, minWidth: 0, display: 'flex' }}>
          <Viewer clip={clip} frame={playhead?.frame ?? null} />
        </Box>
        <Box sx={{ width: 300, borderLeft: 1, borderColor: 'divider', overflow: 'auto' }}>
          <ShotPanel shot={playhead?.shot ?? null} clip={clip} frame={playhead?.frame ?? null} shots={shots} />
          {detail && detail.clips.length > 0 && <ClipList clips={detail.clips} />}
        </Box>
      </Box>
      <JobsBar projectId={projectId} />
      <Timeline shots={shots} clips={clips} playhead={playhead} onSeek={setPlayhead} />
      <ImportDialog projectId={projectId} open={importing} onClose={() => setImporting(false)} />
    </Box>
  );
}
