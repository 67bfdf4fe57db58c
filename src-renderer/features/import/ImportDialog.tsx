// Import footage: a file browser over the host's configured media folders (the same in Electron and in
// browser mode, where the browser cannot see the host's disk).
import { Alert, Breadcrumbs, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, Link, List, ListItemButton, ListItemIcon, ListItemText, Typography } from '@mui/material';
import FolderIcon from '@mui/icons-material/FolderOutlined';
import MovieIcon from '@mui/icons-material/MovieOutlined';
import FileIcon from '@mui/icons-material/InsertDriveFileOutlined';
import { useEffect, useState } from 'react';
import type { BrowseResult } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function ImportDialog({ projectId, open, onClose }: { projectId: string; open: boolean; onClose(): void }) {
  const api = useApi();
  const [dir, setDir] = useState<string | undefined>(undefined);
  const [listing, setListing] = useState<BrowseResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());

  useEffect(() => {
    if (!open) return;
    void api.call('media.browse', dir ? { path: dir } : {}).then((r) => {
      if (r.ok) {
        setListing(r.value);
        setError(null);
      } else setError(r.error.message);
    });
  }, [api, dir, open]);

  const toggle = (path: string) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  const doImport = async () => {
    const r = await api.call('library.importClips', { projectId, files: [...picked] });
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setPicked(new Set());
    onClose();
  };

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>Import footage</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 380 }}>
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
              <ListItemButton key={e.path} onClick={() => toggle(e.path)} disabled={!e.looksLikeMedia}>
                <ListItemIcon>
                  <Checkbox edge="start" size="small" checked={picked.has(e.path)} tabIndex={-1} disableRipple />
                </ListItemIcon>
                <ListItemIcon>{e.looksLikeMedia ? <MovieIcon /> : <FileIcon />}</ListItemIcon>
                <ListItemText primary={e.name} secondary={e.size !== null ? `${(e.size / 1e6).toFixed(1)} MB` : null} />
              </ListItemButton>
            ),
          )}
        </List>
      </DialogContent>
      <DialogActions>
        <Typography variant="caption" sx={{ flex: 1, pl: 2 }} color="text.secondary">
          {picked.size} selected
        </Typography>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={picked.size === 0} onClick={() => void doImport()} data-testid="import-selected">
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
