import { Box, CssBaseline, ThemeProvider } from '@mui/material';
import { useState } from 'react';
import { ApiProvider, type ConnectedApi } from '../api';
import { LibraryScreen } from '../features/library';
import { ProjectScreen } from '../features/project';
import { StatusBar } from '../features/status-bar';
import { theme } from './theme';

export function App({ api }: { api: ConnectedApi }) {
  const [projectId, setProjectId] = useState<string | null>(null);
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <ApiProvider api={api}>
        <Box sx={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
          <Box component="main" sx={{ flex: 1, overflow: 'auto', minHeight: 0 }}>
            {projectId ? <ProjectScreen projectId={projectId} onBack={() => setProjectId(null)} /> : <LibraryScreen onOpen={setProjectId} />}
          </Box>
          <StatusBar />
        </Box>
      </ApiProvider>
    </ThemeProvider>
  );
}
