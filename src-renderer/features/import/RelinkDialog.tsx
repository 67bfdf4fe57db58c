// Relink an offline clip: pick its file again (matched by content fingerprint), or search a folder.
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import type { Clip } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { MediaBrowser } from './MediaBrowser';

export function RelinkDialog({ clip, onClose: close }: { clip: Clip | null; onClose(): void }) {
  const api = useApi();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [browse, setBrowse] = useState(false);
  const onClose = () => {
    setPicked(new Set());
    setError(null);
    setBrowse(false);
    close();
  };

  const relink = async (path: string) => {
    if (!clip) return;
    const r = await api.call('library.relinkClip', { clipId: clip.id, path });
    if (!r.ok) {
      setError(r.error.message);
      setBrowse(true);
      return;
    }
    onClose();
  };

  useEffect(() => {
    if (!clip) return;
    setError(null);
    setBrowse(false);
    void api.call('dialog.pickMedia', { title: `Relink ${clip.name}`, multiple: false }).then((r) => {
      if (r.ok && r.value.files) {
        if (r.value.files[0]) void relink(r.value.files[0]);
        else onClose();
      } else setBrowse(true);
    });
  }, [clip?.id]);

  return (
    <Dialog open={!!clip && browse} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>Relink {clip?.name}</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 320 }}>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Was at {clip?.path}. Pick the file where it is now; its content must match.
        </Typography>
        {error && <Alert severity="error">{error}</Alert>}
        <MediaBrowser picked={picked} onToggle={(p) => setPicked(new Set([p]))} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={picked.size !== 1} onClick={() => void relink([...picked][0])} data-testid="relink-selected">
          Relink
        </Button>
      </DialogActions>
    </Dialog>
  );
}
