// Rename a project in place; the library refuses an empty name, and says so here.
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import type { ProjectSummary } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function RenameProjectDialog({ project, onClose }: { project: ProjectSummary | null; onClose(): void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setName(project?.name ?? '');
    setError(null);
  }, [project]);

  const rename = async () => {
    if (!project) return;
    const r = await api.call('library.renameProject', { projectId: project.id, name });
    if (r.ok) onClose();
    else setError(r.error.message);
  };
  const usable = name.trim() !== '' && name.trim() !== project?.name;

  return (
    <Dialog open={!!project} onClose={onClose} fullWidth maxWidth="xs" data-testid="rename-dialog">
      <DialogTitle>Rename project</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          fullWidth
          margin="dense"
          label="Project name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onFocus={(e) => e.target.select()}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && usable) void rename();
          }}
          slotProps={{ htmlInput: { 'data-testid': 'rename-input' } }}
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!usable} onClick={() => void rename()} data-testid="rename-confirm">
          Rename
        </Button>
      </DialogActions>
    </Dialog>
  );
}
