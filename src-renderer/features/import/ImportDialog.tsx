// Import footage: the desktop's own file dialog under Electron, the host's media browser in browser mode.
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import { useApi } from '../../api';
import { MediaBrowser } from './MediaBrowser';
import { usePickFiles } from './usePickFiles';

export function ImportDialog({ projectId, open, onClose }: { projectId: string; open: boolean; onClose(): void }) {
  const api = useApi();
  const pick = usePickFiles({
    active: open,
    key: projectId,
    title: 'Import footage',
    multiple: true,
    onClose,
    use: async (files) => {
      const r = await api.call('library.importClips', { projectId, files });
      return r.ok ? null : r.error.message;
    },
  });
  const toggle = (path: string) =>
    pick.setPicked((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  return (
    <Dialog open={open && pick.browse} onClose={pick.close} fullWidth maxWidth="md">
      <DialogTitle>Import footage</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 380 }}>
        {pick.error && <Alert severity="error">{pick.error}</Alert>}
        <MediaBrowser picked={pick.picked} onToggle={toggle} />
      </DialogContent>
      <DialogActions>
        <Typography variant="caption" sx={{ flex: 1, pl: 2 }} color="text.secondary">
          {pick.picked.size} selected
        </Typography>
        <Button onClick={pick.close}>Cancel</Button>
        <Button
          variant="contained"
          disabled={pick.picked.size === 0}
          onClick={() => void pick.submit([...pick.picked])}
          data-testid="import-selected"
        >
          Import
        </Button>
      </DialogActions>
    </Dialog>
  );
}
