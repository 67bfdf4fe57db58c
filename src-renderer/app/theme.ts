// A dark, low-saturation theme: a grading suite's UI must not colour the colorist's judgement.
import { createTheme } from '@mui/material/styles';

export const theme = createTheme({
  palette: {
    mode: 'dark',
    background: { default: '#141414', paper: '#1c1c1c' },
    primary: { main: '#8fb4d8' },
    secondary: { main: '#d8b48f' },
    divider: 'rgba(255,255,255,0.08)',
    text: { primary: '#e2e2e2', secondary: '#9a9a9a' },
  },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif',
    fontSize: 13,
  },
  shape: { borderRadius: 4 },
  components: {
    MuiButton: { defaultProps: { disableElevation: true } },
    MuiPaper: { defaultProps: { elevation: 0 } },
  },
});
