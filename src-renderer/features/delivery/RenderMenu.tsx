// "Render": queue the shots whose render is missing or stale, or just the selected shot (again, if asked).
import { Alert, Button, Divider, ListItemText, Menu, MenuItem, Snackbar } from '@mui/material';
import ArrowDropDownIcon from '@mui/icons-material/ArrowDropDown';
import { useState } from 'react';
import type { Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function RenderMenu({
  projectId,
  selected,
  renders,
}: {
  projectId: string;
  selected: Shot | null;
  renders: Map<string, ShotRenderStatus>;
}) {
  const api = useApi();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [note, setNote] = useState<{ severity: 'info' | 'error'; text: string } | null>(null);
  const pending = [...renders.values()].filter(
    (s) => s.state === 'none' || s.state === 'stale' || s.state === 'failed',
  ).length;
  const selectedState = selected ? renders.get(selected.id)?.state : undefined;

  const render = async (shotIds?: string[], force?: boolean) => {
    setAnchor(null);
    const r = await api.call('renders.start', { projectId, ...(shotIds && { shotIds }), ...(force && { force }) });
    if (!r.ok) setNote({ severity: 'error', text: r.error.message });
    else if (r.value.jobId === null)
      setNote({ severity: 'info', text: 'Nothing to render: those shots are rendered and current.' });
  };

  return (
    <>
      <Button
        size="small"
        endIcon={<ArrowDropDownIcon />}
        onClick={(e) => setAnchor(e.currentTarget)}
        data-testid="render-menu"
      >
        Render
      </Button>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        <MenuItem onClick={() => void render()} data-testid="render-pending">
          <ListItemText primary="Render new and stale shots" secondary={`${pending} shot${pending === 1 ? '' : 's'}`} />
        </MenuItem>
        <Divider />
        <MenuItem
          disabled={!selected}
          onClick={() => selected && void render([selected.id])}
          data-testid="render-selected"
        >
          <ListItemText
            primary="Render the selected shot"
            secondary={selectedState === 'rendered' ? 'already rendered' : undefined}
          />
        </MenuItem>
        <MenuItem
          disabled={!selected}
          onClick={() => selected && void render([selected.id], true)}
          data-testid="render-selected-force"
        >
          <ListItemText primary="Render the selected shot again" secondary="even if its render is current" />
        </MenuItem>
      </Menu>
      <Snackbar
        open={!!note}
        autoHideDuration={5000}
        onClose={() => setNote(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      >
        <Alert severity={note?.severity ?? 'info'} onClose={() => setNote(null)}>
          {note?.text}
        </Alert>
      </Snackbar>
    </>
  );
}
