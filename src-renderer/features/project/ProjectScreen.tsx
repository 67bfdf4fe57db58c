// One project: the viewer in the middle, the shot's facts and grade beside it, scopes at the right, the
// timeline below; panel sizes are the colorist's and remembered. This screen owns the playhead, the shot
// selection, the in/out marks and the live grade that ties the grade panel, viewer and scopes together.
import { Alert, Box, Button, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import FileUploadIcon from '@mui/icons-material/FileUploadOutlined';
import MovieIcon from '@mui/icons-material/MovieOutlined';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { gradePeakNits, type GradeParams } from '../../../src-main/common/colour/grade';
import type { Job, Shot } from '../../../src-main/common/contract';
import { useCall, useEvent } from '../../api';
import { ExportDialog, RenderMenu, RenderQueue, useRenderStatus } from '../delivery';
import { GradePanel } from '../grade';
import { ImportDialog } from '../import';
import { isActive, JobsBar, useJobs } from '../jobs';
import { ScopeFeed, Scopes } from '../scopes';
import { useNotify } from '../status-bar';
import { LiveGrade, Viewer } from '../viewer';
import { ClipList } from './ClipList';
import type { TimelineCommand } from './keys';
import {
  markedRange,
  programmeFrame,
  programmeLength,
  playheadAt,
  shotStarts,
  type Marks,
  type Playhead,
} from './programme';
import { ShortcutsDialog } from './ShortcutsDialog';
import { ShotPanel } from './ShotPanel';
import { Splitter } from './Splitter';
import { MAX_ZOOM, Timeline, type SelectMode } from './Timeline';
import { defaultLayout, useLayout } from './useLayout';
import { useSelection } from './useSelection';
import { useShotEdits } from './useShotEdits';
import { useShotGrade } from './useShotGrade';
import { useTimelineKeys } from './useTimelineKeys';

// Render and export jobs have their own queue above the timeline.
const LIBRARY_JOBS: Job['kind'][] = ['import', 'shots', 'proxies'];
const NO_MARKS: Marks = { in: null, out: null };

export function ProjectScreen({ projectId, onBack }: { projectId: string; onBack(): void }) {
  const project = useCall('library.getProject', { projectId });
  const { reload } = project;
  const notify = useNotify();
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [showKeys, setShowKeys] = useState(false);
  const renders = useRenderStatus(projectId);
  const imports = useJobs(projectId, LIBRARY_JOBS);
  const [playhead, setPlayhead] = useState<Playhead | null>(null);
  const [marks, setMarks] = useState<Marks>(NO_MARKS);
  const [zoom, setZoom] = useState(1);
  // The viewer's graded frames reach the scopes through this, not through this screen's state.
  const [scopeFeed] = useState(() => new ScopeFeed());
  const layout = useLayout();

  useEvent(
    'library.changed',
    useCallback(
      (e: { projectId: string | null }) => {
        if (e.projectId === projectId || e.projectId === null) void reload();
      },
      [projectId, reload],
    ),
  );
  useEvent(
    'job.progress',
    useCallback(
      (j: { projectId: string | null; state: string }) => {
        if (j.projectId === projectId && (j.state === 'done' || j.state === 'failed')) void reload();
      },
      [projectId, reload],
    ),
  );
  useEffect(() => {
    if (project.error)
      notify({ severity: 'error', message: 'The project could not be loaded', detail: project.error.message });
  }, [project.error, notify]);

  const detail = project.value;
  const shots = useMemo(() => (detail ? [...detail.shots].sort((a, b) => a.order - b.order) : []), [detail]);
  const clips = useMemo(() => new Map((detail?.clips ?? []).map((c) => [c.id, c])), [detail]);
  const total = programmeLength(shots);
  const marked = useMemo(() => markedRange(marks, total), [marks, total]);

  // Keep the playhead on a shot that still exists (after split/merge/re-import).
  useEffect(() => {
    if (shots.length === 0) return setPlayhead(null);
    // The frame stays put where a shot still covers it (a split moves it onto the new shot).
    setPlayhead((p) => {
      const covers = (s: Shot) =>
        !!p && s.clipId === p.shot.clipId && p.frame >= s.firstFrame && p.frame <= s.lastFrame;
      const covering = p && (shots.find((s) => s.id === p.shot.id && covers(s)) ?? shots.find(covers));
      if (p && covering) return { shot: covering, frame: p.frame };
      const same = p && shots.find((s) => s.id === p.shot.id);
      if (same) return { shot: same, frame: Math.min(Math.max(p.frame, same.firstFrame), same.lastFrame) };
      return { shot: shots[0], frame: shots[0].firstFrame };
    });
  }, [shots]);
  // Marks past the end of a shortened timeline are dropped.
  useEffect(() => {
    setMarks((m) => ((m.in !== null && m.in >= total) || (m.out !== null && m.out >= total) ? NO_MARKS : m));
  }, [total]);

  const shot = playhead?.shot ?? null;
  const clip = shot ? (clips.get(shot.clipId) ?? null) : null;
  const { selected, select } = useSelection(shots, shot?.id ?? null);
  const selectedIds = useMemo(() => shots.filter((s) => selected.has(s.id)).map((s) => s.id), [shots, selected]);
  const edits = useShotEdits(shots, selected, playhead);
  const { grade, onLiveChange: setLiveGrade } = useShotGrade(shot);
  // The panel's live grade goes to the viewer directly (drawn in the input's task) and into this screen's state.
  const [liveGrade] = useState(() => new LiveGrade());
  const onLiveChange = useCallback(
    (g: GradeParams) => {
      setLiveGrade(g);
      liveGrade.show(g);
    },
    [setLiveGrade, liveGrade],
  );
  const render = shot ? (renders.byShot.get(shot.id) ?? null) : null;
  const renderedKey = render?.state === 'rendered' ? `${render.shotId}|${render.renderedAt ?? ''}` : null;
  const renderedShot = useMemo(
    () => (renderedKey ? { projectId, shotId: renderedKey.split('|')[0], key: renderedKey } : null),
    [projectId, renderedKey],
  );
  const missing = detail?.clips.filter((c) => c.status !== 'ok') ?? [];
  const importRunning = imports.jobs.some(isActive);
  useEffect(() => scopeFeed.clear(), [scopeFeed, shot?.id]);
  const shotLight = useMemo(
    () =>
      render && render.maxCll !== null && render.maxFall !== null
        ? { maxCll: render.maxCll, maxFall: render.maxFall }
        : null,
    [render],
  );

  const seekProgramme = useCallback((f: number) => setPlayhead(playheadAt(shots, f)), [shots]);
  const at = playhead ? programmeFrame(shots, playhead) : 0;
  const starts = shotStarts(shots);
  const shotIndex = shot ? shots.findIndex((s) => s.id === shot.id) : -1;

  useTimelineKeys((command: TimelineCommand) => {
    if (command === 'shortcuts') return setShowKeys((v) => !v);
    if (command === 'zoomIn') return setZoom((z) => Math.min(MAX_ZOOM, z * 2));
    if (command === 'zoomOut') return setZoom((z) => Math.max(1, z / 2));
    if (command === 'clearMarks') return setMarks(NO_MARKS);
    if (!playhead) return;
    switch (command) {
      case 'prevFrame':
        return seekProgramme(at - 1);
      case 'nextFrame':
        return seekProgramme(at + 1);
      case 'prevShot':
        return seekProgramme(starts[Math.max(0, shotIndex - 1)]);
      case 'nextShot':
        return seekProgramme(starts[Math.min(shots.length - 1, shotIndex + 1)]);
      case 'start':
        return seekProgramme(0);
      case 'end':
        return seekProgramme(total - 1);
      case 'markIn':
        return setMarks((m) => ({ in: at, out: m.out !== null && m.out >= at ? m.out : null }));
      case 'markOut':
        return setMarks((m) => ({ in: m.in !== null && m.in <= at ? m.in : null, out: at }));
      case 'split':
        return void edits.split();
      case 'merge':
        return void edits.merge();
    }
  });

  // The viewer plays through the clip; the playhead follows onto whichever shot of that clip covers the frame.
  const onViewerSeek = useCallback(
    (frame: number) =>
      setPlayhead((p) => {
        if (!p) return p;
        const s = shots.find((x) => x.clipId === p.shot.clipId && frame >= x.firstFrame && frame <= x.lastFrame);
        return s ? { shot: s, frame } : p;
      }),
    [shots],
  );
  const onTimelineSelect = useCallback((shotId: string, mode: SelectMode) => select(shotId, mode), [select]);
  const onTimelineSeek = useCallback(
    (f: number) => {
      const p = playheadAt(shots, f);
      setPlayhead(p);
      if (p) select(p.shot.id, 'only');
    },
    [shots, select],
  );

  const openImport = useCallback(() => setImporting(true), []);
  const closeImport = useCallback(() => setImporting(false), []);
  const openExport = useCallback(() => setExporting(true), []);
  const closeExport = useCallback(() => setExporting(false), []);
  const openKeys = useCallback(() => setShowKeys(true), []);
  const closeKeys = useCallback(() => setShowKeys(false), []);
  const clearMarks = useCallback(() => setMarks(NO_MARKS), []);

  const empty = detail !== null && detail.clips.length === 0;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }} data-testid="project-screen">
      <Header
        projectId={projectId}
        name={detail?.project.name ?? ''}
        counts={
          detail
            ? `${detail.clips.length} clip${detail.clips.length === 1 ? '' : 's'} · ${shots.length} shot${shots.length === 1 ? '' : 's'}`
            : ''
        }
        onBack={onBack}
        onImport={openImport}
        onExport={openExport}
        shot={shot}
        renders={renders.byShot}
        shots={shots}
        marks={marked}
      />
      {missing.length > 0 && (
        <Alert
          severity="warning"
          sx={{ borderRadius: 0, py: 0, '& .MuiAlert-message': { py: 0.5 } }}
          data-testid="offline-clips"
        >
          {missing.length} clip{missing.length === 1 ? ' is' : 's are'} offline or changed:{' '}
          {missing.map((c) => c.name).join(', ')}. Relink them in the clip list.
        </Alert>
      )}
      <Box sx={{ flex: 1, display: 'flex', minHeight: 0 }}>
        <Box sx={{ flex: 1, minWidth: 240, display: 'flex', position: 'relative' }}>
          {empty && !importRunning ? (
            <Stack
              sx={{ flex: 1, alignItems: 'center', justifyContent: 'center', bgcolor: '#000' }}
              data-testid="project-empty"
            >
              <Typography color="text.secondary" variant="body2">
                Import footage to begin.
              </Typography>
            </Stack>
          ) : (
            <Viewer
              clip={clip}
              frame={playhead?.frame ?? null}
              grade={grade}
              scopes={scopeFeed}
              liveGrade={liveGrade}
              onSeek={onViewerSeek}
              rendered={renderedShot}
            />
          )}
        </Box>
        <Splitter
          direction="column"
          invert
          size={layout.sizes.side}
          onResize={(v) => layout.resize('side', v)}
          onReset={() => layout.resize('side', defaultLayout().side)}
          testId="split-side"
        />
        <Box sx={{ width: layout.sizes.side, flex: 'none', overflow: 'auto' }} data-testid="side-panel">
          <ShotPanel
            shot={shot}
            clip={clip}
            frame={playhead?.frame ?? null}
            shots={shots}
            render={render}
            edits={edits}
          />
          <GradePanel shot={shot} selectedShotIds={selectedIds} onLiveChange={onLiveChange} />
          {detail && detail.clips.length > 0 && <ClipList clips={detail.clips} />}
        </Box>
        <Splitter
          direction="column"
          invert
          size={layout.sizes.scopes}
          onResize={(v) => layout.resize('scopes', v)}
          onReset={() => layout.resize('scopes', defaultLayout().scopes)}
          testId="split-scopes"
        />
        <Box sx={{ width: layout.sizes.scopes, flex: 'none', overflow: 'auto' }} data-testid="scopes-panel">
          <Scopes feed={scopeFeed} shotLight={shotLight} peakNits={gradePeakNits(grade)} />
        </Box>
      </Box>
      <JobsBar projectId={projectId} kinds={LIBRARY_JOBS} />
      <RenderQueue projectId={projectId} />
      <Splitter
        direction="row"
        invert
        size={layout.sizes.timeline}
        onResize={(v) => layout.resize('timeline', v)}
        onReset={() => layout.resize('timeline', defaultLayout().timeline)}
        testId="split-timeline"
      />
      <Box sx={{ height: layout.sizes.timeline, flex: 'none' }}>
        <Timeline
          shots={shots}
          clips={clips}
          renders={renders.byShot}
          playhead={playhead}
          selected={selected}
          marks={marks}
          zoom={zoom}
          onZoom={setZoom}
          onSeek={onTimelineSeek}
          onSelect={onTimelineSelect}
          onClearMarks={clearMarks}
          onShowShortcuts={openKeys}
        />
      </Box>
      <MemoImportDialog projectId={projectId} open={importing} onClose={closeImport} />
      <MemoExportDialog
        projectId={projectId}
        projectName={detail?.project.name ?? 'master'}
        open={exporting}
        onClose={closeExport}
        shots={shots}
        selected={shot}
        marks={marked}
      />
      <MemoShortcutsDialog open={showKeys} onClose={closeKeys} />
    </Box>
  );
}

// The header and the dialogs are memoised: the screen re-renders on every playhead move (each key while
// scrubbing), and their MUI buttons, menus and modals would otherwise cost the viewer its frame.
const Header = memo(function Header(props: {
  projectId: string;
  name: string;
  counts: string;
  onBack(): void;
  onImport(): void;
  onExport(): void;
  shot: Shot | null;
  renders: ReturnType<typeof useRenderStatus>['byShot'];
  shots: Shot[];
  marks: ReturnType<typeof markedRange>;
}) {
  const { projectId, name, counts, onBack, onImport, onExport, shot, renders, shots, marks } = props;
  return (
    <Stack
      direction="row"
      sx={{ alignItems: 'center', gap: 1, px: 1, py: 0.5, borderBottom: 1, borderColor: 'divider' }}
    >
      <Tooltip title="All projects">
        <IconButton onClick={onBack} size="small" aria-label="All projects">
          <ArrowBackIcon fontSize="small" />
        </IconButton>
      </Tooltip>
      <Typography variant="subtitle1" noWrap sx={{ flex: 1, minWidth: 0 }} data-testid="project-name-title">
        {name}
      </Typography>
      <Typography variant="caption" color="text.secondary" noWrap>
        {counts}
      </Typography>
      <Button size="small" startIcon={<FileUploadIcon />} onClick={onImport}>
        Import
      </Button>
      <RenderMenu projectId={projectId} selected={shot} renders={renders} shots={shots} marks={marks} />
      <Button
        size="small"
        startIcon={<MovieIcon />}
        disabled={shots.length === 0}
        onClick={onExport}
        data-testid="open-export"
      >
        Export…
      </Button>
    </Stack>
  );
});
const MemoExportDialog = memo(ExportDialog);
const MemoImportDialog = memo(ImportDialog);
const MemoShortcutsDialog = memo(ShortcutsDialog);
