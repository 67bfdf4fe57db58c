// App version, inference device and worker state, fed by the real worker through the contract.
import { Box, Button, Tooltip, Typography } from '@mui/material';
import { useCallback, useState } from 'react';
import type { InferenceStatus, WorkerState } from '../../../src-main/common/contract';
import { useApi, useCall, useEvent } from '../../api';

const stateColour: Record<WorkerState, string> = {
  starting: '#c9a227',
  restarting: '#c9a227',
  ready: '#5fa35f',
  busy: '#8fb4d8',
  failed: '#c0504d',
  stopped: '#777',
};

export function StatusBar() {
  const api = useApi();
  const info = useCall('app.info', {});
  const initial = useCall('inference.status', {});
  const [live, setLive] = useState<InferenceStatus | null>(null);
  useEvent(
    'inference.state',
    useCallback((s: InferenceStatus) => setLive(s), []),
  );
  const status = live ?? initial.value;

  return (
    <Box
      component="footer"
      data-testid="status-bar"
      sx={{
        display: 'flex',
        gap: 3,
        alignItems: 'center',
        px: 1.5,
        height: 26,
        borderTop: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
        color: 'text.secondary',
        fontSize: 12,
      }}
    >
      <Typography variant="caption" data-testid="app-version">
        Remaster {info.value?.version ?? ''}
      </Typography>
      <Typography variant="caption">{api.transport === 'electron' ? 'Desktop' : 'Browser mode'}</Typography>
      <Box sx={{ flex: 1 }} />
      <Tooltip
        title={[status?.model ? `Model ${status.model.name} (x${status.model.scale})` : '', status?.providerNote ?? '']
          .filter(Boolean)
          .join(' · ')}
      >
        <Typography variant="caption" data-testid="inference-device" data-provider-note={status?.providerNote ?? ''}>
          Inference: {status?.device ?? '…'}
        </Typography>
      </Tooltip>
      <Tooltip title={status?.error ?? ''}>
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.75 }}>
          <Box
            sx={{ width: 8, height: 8, borderRadius: '50%', bgcolor: status ? stateColour[status.state] : '#777' }}
          />
          <Typography variant="caption" data-testid="worker-state">
            Worker {status?.state ?? '…'}
          </Typography>
          {status?.state === 'failed' && (
            <Button
              size="small"
              sx={{ py: 0, minWidth: 0, fontSize: 11 }}
              onClick={() => void api.call('inference.restart', {}).then((r) => r.ok && setLive(r.value))}
            >
              Restart
            </Button>
          )}
        </Box>
      </Tooltip>
    </Box>
  );
}
