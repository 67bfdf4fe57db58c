// The grade panel: every parameter of the shot's grade as the colour core describes it, with undo/redo
// through the library's history, copy/paste between shots and apply to the selected shots.
import { Alert, Box, Button, Divider, IconButton, Stack, Tooltip, Typography } from '@mui/material';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import ContentPasteIcon from '@mui/icons-material/ContentPaste';
import RedoIcon from '@mui/icons-material/Redo';
import RestartAltIcon from '@mui/icons-material/RestartAlt';
import UndoIcon from '@mui/icons-material/Undo';
import { memo, useEffect, useRef, type ReactElement } from 'react';
import { DEFAULT_GRADE, GRADE_PARAMETER_LIST, type GradeParams } from '../../../src-main/common/colour/grade';
import type { Shot } from '../../../src-main/common/contract';
import { useCopiedGrade } from './clipboard';
import { ParameterRow } from './ParameterRow';
import { gradeCommand, isTextEntry } from './shortcuts';
import { useGrade } from './useGrade';

/** Parameters that act only under another's setting: shown dimmed and locked, with the reason, otherwise. */
const INACTIVE_UNLESS: Partial<Record<keyof GradeParams, { when(g: GradeParams): boolean; why: string }>> = {
  highlightKnee: { when: (g) => g.highlightExpansion, why: 'Turn on highlight expansion to use the knee' },
  highlightPeak: { when: (g) => g.highlightExpansion, why: 'Turn on highlight expansion to use the peak' },
};

export function inactiveReason(key: keyof GradeParams, g: GradeParams): string | undefined {
  const rule = INACTIVE_UNLESS[key];
  return rule && !rule.when(g) ? rule.why : undefined;
}

export interface GradePanelProps {
  shot: Shot | null;
  selectedShotIds: string[];
  /** The grade on screen, whenever it changes (every slider step, undo, paste…): the viewer repaints from it. */
  onLiveChange?(params: GradeParams): void;
}

function GradePanelView({ shot, selectedShotIds, onLiveChange }: GradePanelProps) {
  const g = useGrade(shot, onLiveChange);
  const copied = useCopiedGrade();
  const others = selectedShotIds.filter((id) => id !== shot?.id);
  const pasteTargets = selectedShotIds.length > 0 ? selectedShotIds : shot ? [shot.id] : [];

  // The keys act on the latest props without re-subscribing on every render.
  const keys = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keys.current = (e) => {
    if (!shot || e.defaultPrevented || isTextEntry(e.target)) return;
    const cmd = gradeCommand(e);
    if (!cmd) return;
    if (cmd === 'copy') {
      // Only when this shot is the selection, and never over text the colorist selected to copy.
      if (
        !(selectedShotIds.length === 0 || selectedShotIds.includes(shot.id)) ||
        String(window.getSelection() ?? '') !== ''
      )
        return;
      g.copy();
    } else if (cmd === 'paste') {
      if (!copied) return;
      void g.paste(copied, pasteTargets);
    } else void (cmd === 'undo' ? g.undo() : g.redo());
    e.preventDefault();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => keys.current(e);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!shot) {
    return (
      <Box sx={{ p: 2 }} data-testid="grade-panel">
        <Typography variant="body2" color="text.secondary">
          No shot selected.
        </Typography>
      </Box>
    );
  }
  const set = (key: keyof GradeParams, v: unknown): GradeParams => ({ ...g.draft, [key]: v });
  const tool = (title: string, testId: string, icon: ReactElement, onClick: () => void, disabled = false) => (
    <Tooltip title={title}>
      <span>
        <IconButton size="small" onClick={onClick} disabled={disabled} data-testid={testId} aria-label={title}>
          {icon}
        </IconButton>
      </span>
    </Tooltip>
  );
  return (
    <Stack sx={{ px: 1.5, py: 1, gap: 0.75, minWidth: 0 }} data-testid="grade-panel">
      <Stack direction="row" sx={{ alignItems: 'center', gap: 0.25 }}>
        <Typography variant="subtitle2" sx={{ flex: 1 }}>
          Grade
          <Typography
            component="span"
            variant="caption"
            color="text.secondary"
            sx={{ ml: 1 }}
            data-testid="grade-version"
          >
            {g.state ? (g.state.version === 0 ? 'default' : `v${g.state.version}`) : '…'}
          </Typography>
        </Typography>
        {tool('Undo (Ctrl+Z)', 'grade-undo', <UndoIcon fontSize="small" />, () => void g.undo(), !g.state?.canUndo)}
        {tool(
          'Redo (Ctrl+Shift+Z)',
          'grade-redo',
          <RedoIcon fontSize="small" />,
          () => void g.redo(),
          !g.state?.canRedo,
        )}
        {tool('Copy grade (Ctrl+C)', 'grade-copy', <ContentCopyIcon fontSize="small" />, g.copy, !g.state)}
        {tool(
          pasteTargets.length > 1
            ? `Paste grade to ${pasteTargets.length} selected shots (Ctrl+V)`
            : 'Paste grade (Ctrl+V)',
          'grade-paste',
          <ContentPasteIcon fontSize="small" />,
          () => copied && void g.paste(copied, pasteTargets),
          !copied,
        )}
        {tool(
          'Reset all to default',
          'grade-reset-all',
          <RestartAltIcon fontSize="small" />,
          () => void g.commit(DEFAULT_GRADE),
        )}
      </Stack>
      {g.error && (
        <Alert severity="error" sx={{ py: 0 }}>
          {g.error}
        </Alert>
      )}
      {GRADE_PARAMETER_LIST.map((p) => (
        <ParameterRow
          key={p.key}
          id={p.key}
          param={p}
          value={g.draft[p.key]}
          inactive={inactiveReason(p.key, g.draft)}
          onPreview={(v) => g.preview(set(p.key, v))}
          onCommit={(v) => void g.commit(set(p.key, v))}
        />
      ))}
      <Divider />
      <Button
        size="small"
        variant="outlined"
        disabled={others.length === 0}
        onClick={() => void g.applyTo(others)}
        data-testid="grade-apply-selected"
      >
        {others.length === 0
          ? 'Apply to selected'
          : `Apply to ${others.length} selected shot${others.length === 1 ? '' : 's'}`}
      </Button>
    </Stack>
  );
}

/** Memoised: the project screen re-renders on every playhead move; this only when its own props change. */
export const GradePanel = memo(GradePanelView);
