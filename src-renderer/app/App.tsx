import {
  Box,
  Button,
  CssBaseline,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  ThemeProvider,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { ApiProvider, type ConnectedApi } from '../api';
import { LibraryScreen } from '../features/library';
import { ProjectScreen } from '../features/project';
import { NoticesProvider, StatusBar } from '../features/status-bar';
import { theme } from './theme';

export function App({ api }: { api: ConnectedApi }) {
  const [projectId, setProjectId] = useState<string | null>(null);
  const [lost, setLost] = useState(false);
  useEffect(() => api.onDisconnect(() => setLost(true)), [api]);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <ApiProvider api={api}>
        <NoticesProvider>
          <Box sx={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
            <Box component="main" sx={{ flex: 1, overflow: 'auto', minHeight: 0 }}>
              {projectId ? (
                <ProjectScreen projectId={projectId} onBack={() => setProjectId(null)} />
              ) : (
                <LibraryScreen onOpen={setProjectId} />
              )}
            </Box>
            <StatusBar />
          </Box>
          <Dialog open={lost} data-testid="connection-lost">
            <DialogTitle>Lost connection to Remaster</DialogTitle>
            <DialogContent>
              <Typography variant="body2">
                The Remaster host stopped answering. Nothing saved is lost: the library is on the host. Start it again
                (`npm start` or `remaster serve`) and open the new address it prints, or reload if it is still running.
              </Typography>
            </DialogContent>
            <DialogActions>
              <Button onClick={() => location.reload()}>Reload</Button>
            </DialogActions>
          </Dialog>
        </NoticesProvider>
      </ApiProvider>
    </ThemeProvider>
  );
}
