// "Render": queue the shots whose render is missing or stale, the shots the in/out marks touch, or just the
// selected shot (again, if asked).
import { Alert, Button, Divider, ListItemText, Menu, MenuItem, Snackbar } from '@mui/material';
import ArrowDropDownIcon from '@mui/icons-material/ArrowDropDown';
import { useState } from 'react';
import type { Shot, ShotRenderStatus } from '../../../src-main/common/contract';
import { useApi } from '../../api';

export function RenderMenu({
  projectId,
  selected,
  renders,
  shots,
  marks,
}: {
  projectId: string;
  selected: Shot | null;
  renders: Map<string, ShotRenderStatus>;
  /** The timeline, in order. */
  shots: Shot[];
  /** The timeline's in/out marks, programme frames, both included. */
  marks: { first: number; last: number } | null;
}) {
  const api = useApi();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [note, setNote] = useState<{ severity: 'info' | 'error'; text: string } | null>(null);
  const pending = [...renders.values()].filter(
    (s) => s.state === 'none' || s.state === 'stale' || s.state === 'failed',
  ).length;
  const selectedState = selected ? renders.get(selected.id)?.state : undefined;
  const marked = marks ? shotsTouching(shots, marks) : [];

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
        <MenuItem
          disabled={marked.length === 0}
          onClick={() => void render(marked.map((s) => s.id))}
          data-testid="render-marked"
        >
          <ListItemText
            primary="Render the shots the marks touch"
            secondary={marks ? markedText(marked, marks) : 'no in/out marks'}
          />
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

/** The shots that have at least one frame in the programme range: shots render whole. */
/** A shot is the render's unit: the marks pick shots, which render whole. */
function markedText(marked: Shot[], marks: { first: number; last: number }): string {
  if (marked.length === 0) return `marks ${marks.first}–${marks.last}: no shot`;
  const first = marked[0].order + 1,
    last = marked[marked.length - 1].order + 1;
  const frames = marked.reduce((n, s) => n + s.lastFrame - s.firstFrame + 1, 0);
  const which = first === last ? `Shot ${first}` : `Shots ${first}–${last}`;
  return `${which}, whole (${frames} frames) · marks ${marks.first}–${marks.last}`;
}

export function shotsTouching(shots: Shot[], range: { first: number; last: number }): Shot[] {
  const out: Shot[] = [];
  let at = 0;
  for (const s of shots) {
    const end = at + s.lastFrame - s.firstFrame;
    if (end >= range.first && at <= range.last) out.push(s);
    at = end + 1;
  }
  return out;
}
