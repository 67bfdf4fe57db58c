// Import footage: the desktop's own file dialog under Electron, the host's media browser in browser mode.
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useApi } from '../../api';
import { MediaBrowser } from './MediaBrowser';

export function ImportDialog({ projectId, open, onClose: close }: { projectId: string; open: boolean; onClose(): void }) {
  const api = useApi();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [browse, setBrowse] = useState(false);
  // Each opening starts clean: no leftover selection, error or browser from the last one.
  const onClose = () => {
    setPicked(new Set());
    setError(null);
    setBrowse(false);
    close();
  };

  const importFiles = async (files: string[]) => {
    const r = await api.call('library.importClips', { projectId, files });
    if (!r.ok) {
      setError(r.error.message);
      setBrowse(true);
      return;
    }
    onClose();
  };

  useEffect(() => {
    if (!open) return;
    setError(null);
    void api.call('dialog.pickMedia', { title: 'Import footage' }).then((r) => {
      if (r.ok && r.value.files) {
        if (r.value.files.length) void importFiles(r.value.files);
        else onClose();
      } else setBrowse(true);
    });
  }, [open]);

  const toggle = (path: string) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  return (
    <Dialog open={open && browse} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>Import footage</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 380 }}>
        {error && <Alert severity="error">{error}</Alert>}
        <MediaBrowser picked={picked} onToggle={toggle} />
      </DialogContent>
      <DialogActions>
        <Typography variant="caption" sx={{ flex: 1, pl: 2 }} color="text.secondary">
          {picked.size} selected
        </Typography>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={picked.size === 0} onClick={() => void importFiles([...picked])} data-testid="import-selected">
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
