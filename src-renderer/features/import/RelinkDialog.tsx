// Relink an offline clip: pick its file again (matched by content fingerprint).
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from '@mui/material';
import type { Clip } from '../../../src-main/common/contract';
import { useApi } from '../../api';
import { MediaBrowser } from './MediaBrowser';
import { usePickFiles } from './usePickFiles';

export function RelinkDialog({ clip, onClose }: { clip: Clip | null; onClose(): void }) {
  const api = useApi();
  const pick = usePickFiles({
    active: !!clip,
    key: clip?.id ?? '',
    title: `Relink ${clip?.name ?? ''}`,
    multiple: false,
    onClose,
    use: async ([path]) => {
      if (!clip) return null;
      const r = await api.call('library.relinkClip', { clipId: clip.id, path });
      return r.ok ? null : r.error.message;
    },
  });

  return (
    <Dialog open={!!clip && pick.browse} onClose={pick.close} fullWidth maxWidth="md">
      <DialogTitle>Relink {clip?.name}</DialogTitle>
      <DialogContent dividers sx={{ minHeight: 320 }}>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Was at {clip?.path}. Pick the file where it is now; its content must match.
        </Typography>
        {pick.error && <Alert severity="error">{pick.error}</Alert>}
        <MediaBrowser picked={pick.picked} onToggle={(p) => pick.setPicked(new Set([p]))} />
      </DialogContent>
      <DialogActions>
        <Button onClick={pick.close}>Cancel</Button>
        <Button
          variant="contained"
          disabled={pick.picked.size !== 1}
          onClick={() => void pick.submit([...pick.picked])}
          data-testid="relink-selected"
        >
          Relink
        </Button>
      </DialogActions>
    </Dialog>
  );
}
