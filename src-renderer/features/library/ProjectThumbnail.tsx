// A project card's picture: the thumbnail of its first shot (shots.list, not getProject, so that looking at
// the library does not count as opening the project).
import { Box } from '@mui/material';
import MovieFilterOutlinedIcon from '@mui/icons-material/MovieFilterOutlined';
import { useEffect, useState } from 'react';
import type { ProjectSummary } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function ProjectThumbnail({ project }: { project: ProjectSummary }) {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    void (async () => {
      const shots = await api.call('shots.list', { projectId: project.id });
      const first = shots.ok ? [...shots.value].sort((a, b) => a.order - b.order)[0] : undefined;
      const thumb = first ? await api.call('media.thumbnail', { shotId: first.id }) : null;
      if (!stale) setSrc(thumb?.ok && thumb.value.path ? api.mediaUrl(thumb.value.path) : null);
    })();
    return () => {
      stale = true;
    };
  }, [api, project.id, project.shotCount, project.updatedAt]);
  return (
    <Box
      sx={{
        aspectRatio: '16 / 9',
        bgcolor: '#111',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        overflow: 'hidden',
      }}
    >
      {src ? (
        <Box
          component="img"
          src={src}
          alt=""
          data-testid="project-thumbnail"
          sx={{ width: '100%', height: '100%', objectFit: 'cover' }}
        />
      ) : (
        <MovieFilterOutlinedIcon sx={{ fontSize: 40, opacity: 0.3 }} data-testid="project-no-thumbnail" />
      )}
    </Box>
  );
}
