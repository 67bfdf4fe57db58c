// "?": every key of the project screen, from the same table the keys are dispatched by.
import { Box, Dialog, DialogContent, DialogTitle, Stack, Typography } from '@mui/material';
import { KEY_GROUPS } from './keys';

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="shortcuts-dialog">
      <DialogTitle>Keyboard shortcuts</DialogTitle>
      <DialogContent>
        {KEY_GROUPS.map((g) => (
          <Box key={g.title} sx={{ mb: 2 }}>
            <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
              {g.title}
            </Typography>
            {g.keys.map((k) => (
              <Stack key={k.does} direction="row" sx={{ gap: 2, py: 0.25 }} data-testid="shortcut">
                <Stack direction="row" sx={{ gap: 0.5, width: 190, flex: 'none', flexWrap: 'wrap' }}>
                  {k.keys.map((key) => (
                    <Box
                      key={key}
                      component="kbd"
                      sx={{ font: '12px monospace', px: 0.75, border: 1, borderColor: 'divider', borderRadius: 0.5 }}
                    >
                      {key}
                    </Box>
                  ))}
                </Stack>
                <Typography variant="body2">{k.does}</Typography>
              </Stack>
            ))}
          </Box>
        ))}
      </DialogContent>
    </Dialog>
  );
}
