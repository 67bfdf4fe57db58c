// A file browser over the host's media folders (the browser cannot see the host's disk).
import {
  Alert,
  Breadcrumbs,
  Checkbox,
  Link,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Typography,
} from '@mui/material';
import FolderIcon from '@mui/icons-material/FolderOutlined';
import MovieIcon from '@mui/icons-material/MovieOutlined';
import FileIcon from '@mui/icons-material/InsertDriveFileOutlined';
import { useEffect, useState } from 'react';
import type { BrowseResult } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function MediaBrowser({ picked, onToggle }: { picked: Set<string>; onToggle(path: string): void }) {
  const api = useApi();
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [listing, setListing] = useState<BrowseResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.call('media.browse', dir ? { path: dir } : {}).then((r) => {
      if (r.ok) {
        setListing(r.value);
        setError(null);
      } else setError(r.error.message);
    });
  }, [api, dir]);

  return (
    <>
      <Breadcrumbs sx={{ mb: 1 }}>
        <Link component="button" onClick={() => setDir(undefined)}>
          Media folders
        </Link>
        {listing?.path && <Typography variant="body2">{listing.path}</Typography>}
      </Breadcrumbs>
      {error && <Alert severity="error">{error}</Alert>}
      <List dense data-testid="browse-list">
        {listing?.parent && (
          <ListItemButton onClick={() => setDir(listing.parent ?? undefined)}>
            <ListItemIcon>
              <FolderIcon />
            </ListItemIcon>
            <ListItemText primary=".." />
          </ListItemButton>
        )}
        {listing?.entries.map((e) =>
          e.kind === 'dir' ? (
            <ListItemButton key={e.path} onClick={() => setDir(e.path)}>
              <ListItemIcon>
                <FolderIcon />
              </ListItemIcon>
              <ListItemText primary={e.name} />
            </ListItemButton>
          ) : (
            <ListItemButton key={e.path} onClick={() => onToggle(e.path)} disabled={!e.looksLikeMedia}>
              <ListItemIcon>
                <Checkbox edge="start" size="small" checked={picked.has(e.path)} tabIndex={-1} disableRipple />
              </ListItemIcon>
              <ListItemIcon>{e.looksLikeMedia ? <MovieIcon /> : <FileIcon />}</ListItemIcon>
              <ListItemText primary={e.name} secondary={e.size !== null ? `${(e.size / 1e6).toFixed(1)} MB` : null} />
            </ListItemButton>
          ),
        )}
      </List>
    </>
  );
}
