// The library: the colorist's projects, and the way to start a new one.
import {
  Alert,
  Box,
  Button,
  Card,
  CardActionArea,
  CardContent,
  Chip,
  IconButton,
  Menu,
  MenuItem,
  Stack,
  Typography,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import MovieFilterOutlinedIcon from '@mui/icons-material/MovieFilterOutlined';
import { useCallback, useEffect, useState } from 'react';
import type { ProjectSummary, Result } from '../../../src-main/common/contract';
import { useApi, useCall, useEvent } from '../../api';
import { JobsBar } from '../jobs';
import { useReportFailure } from '../status-bar';
import { ConfirmDialog } from './ConfirmDialog';
import { NewProjectDialog } from './NewProjectDialog';
import { ProjectThumbnail } from './ProjectThumbnail';
import { RenameProjectDialog } from './RenameProjectDialog';

const FIRST_RUN_KEY = 'remaster.firstRunDone';

export function LibraryScreen({ onOpen }: { onOpen(projectId: string): void }) {
  const api = useApi();
  const projects = useCall('library.listProjects', {});
  const status = useCall('library.status', {});
  const [creating, setCreating] = useState(false);
  const [menu, setMenu] = useState<{ anchor: HTMLElement; project: ProjectSummary } | null>(null);
  const report = useReportFailure();
  const [renaming, setRenaming] = useState<ProjectSummary | null>(null);
  const [deleting, setDeleting] = useState<ProjectSummary | null>(null);
  const { reload } = projects;
  // A newcomer's first start lands in the demo project; after that, the library is home.
  useEffect(() => {
    const demo = projects.value?.find((p) => p.isDemo);
    if (!demo || localStorage.getItem(FIRST_RUN_KEY)) return;
    localStorage.setItem(FIRST_RUN_KEY, new Date().toISOString());
    if (projects.value?.length === 1) onOpen(demo.id);
  }, [projects.value, onOpen]);
  useEvent(
    'library.changed',
    useCallback(() => void reload(), [reload]),
  );
  useEvent(
    'job.progress',
    useCallback((j: { state: string }) => j.state === 'done' && void reload(), [reload]),
  );

  const act = async <T,>(what: string, r: Promise<Result<T>>) => {
    setMenu(null);
    await report(what, r);
    void reload();
  };

  return (
    <Box sx={{ p: 3, maxWidth: 1100, mx: 'auto' }} data-testid="library-screen">
      <Stack direction="row" sx={{ alignItems: 'center', mb: 3 }}>
        <Typography variant="h5" sx={{ flex: 1 }}>
          Projects
        </Typography>
        <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
          New project
        </Button>
      </Stack>
      {status.value?.recovery && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          {status.value.recovery}
        </Alert>
      )}
      {status.value?.readOnly && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          The library at {status.value.file} is read-only: you can look, but changes cannot be saved.
        </Alert>
      )}
      {projects.error && <Alert severity="error">{projects.error.message}</Alert>}
      <JobsBar projectId={null} />
      {projects.value && projects.value.length === 0 && (
        <Stack data-testid="library-empty" sx={{ alignItems: 'center', py: 10, color: 'text.secondary', gap: 2 }}>
          <MovieFilterOutlinedIcon sx={{ fontSize: 56, opacity: 0.6 }} />
          <Typography variant="h6">No projects yet</Typography>
          <Typography variant="body2">Create a project, then import SDR footage to up-convert it to HDR10.</Typography>
          <Button variant="outlined" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            New project
          </Button>
        </Stack>
      )}
      {projects.value && projects.value.length > 0 && (
        <Box
          sx={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: 2 }}
          data-testid="project-list"
        >
          {recentFirst(projects.value).map((p) => (
            <Card key={p.id} variant="outlined" data-testid="project-card" sx={{ position: 'relative' }}>
              <CardActionArea onClick={() => onOpen(p.id)}>
                <ProjectThumbnail project={p} />
                <CardContent>
                  <Typography variant="subtitle1" noWrap sx={{ pr: 3 }}>
                    {p.name}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {p.clipCount} clip{p.clipCount === 1 ? '' : 's'} · {p.shotCount} shot{p.shotCount === 1 ? '' : 's'}
                  </Typography>
                  {p.isDemo && <Chip size="small" label="Demo" sx={{ mt: 1 }} />}
                </CardContent>
              </CardActionArea>
              <IconButton
                size="small"
                sx={{ position: 'absolute', top: 6, right: 4 }}
                aria-label={`${p.name} actions`}
                onClick={(e) => setMenu({ anchor: e.currentTarget, project: p })}
              >
                <MoreVertIcon fontSize="small" />
              </IconButton>
            </Card>
          ))}
        </Box>
      )}
      <Menu open={!!menu} anchorEl={menu?.anchor} onClose={() => setMenu(null)}>
        <MenuItem
          onClick={() => {
            setRenaming(menu?.project ?? null);
            setMenu(null);
          }}
        >
          Rename…
        </MenuItem>
        <MenuItem
          onClick={() =>
            menu && void act('Duplicate', api.call('library.duplicateProject', { projectId: menu.project.id }))
          }
        >
          Duplicate
        </MenuItem>
        <MenuItem
          onClick={() => {
            setDeleting(menu?.project ?? null);
            setMenu(null);
          }}
        >
          Delete…
        </MenuItem>
      </Menu>
      <RenameProjectDialog
        project={renaming}
        onClose={() => {
          setRenaming(null);
          void reload();
        }}
      />
      <ConfirmDialog
        open={!!deleting}
        title={`Delete "${deleting?.name ?? ''}"?`}
        action="Delete"
        onConfirm={() => deleting && void act('Delete', api.call('library.deleteProject', { projectId: deleting.id }))}
        onClose={() => setDeleting(null)}
      >
        Its shots, grades, renders and caches are removed. The source media files are not touched.
      </ConfirmDialog>
      <NewProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(id) => {
          void reload();
          onOpen(id);
        }}
      />
    </Box>
  );
}

/** Most recently opened (or changed) first: the project a colorist left is the one they come back to. */
function recentFirst(list: ProjectSummary[]): ProjectSummary[] {
  const key = (p: ProjectSummary) => p.lastOpenedAt ?? p.updatedAt;
  return [...list].sort((a, b) => key(b).localeCompare(key(a)));
}
