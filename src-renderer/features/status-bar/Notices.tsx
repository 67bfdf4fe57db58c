// Non-blocking notices: an error says what failed and keeps its detail one click away, without covering the
// work. They stack above the status bar and go by themselves (errors stay until closed).
import { Alert, Box, Button, Collapse, Typography } from '@mui/material';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Result } from '../../../src-main/common/contract';

export interface Notice {
  severity: 'error' | 'warning' | 'info' | 'success';
  message: string;
  /** The underlying error or explanation, shown on request. */
  detail?: string;
}

type Notify = (n: Notice) => void;
const NoticeContext = createContext<Notify>(() => undefined);

const SHOWN = 4;
const INFO_MS = 5000;

export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<(Notice & { id: number })[]>([]);
  const close = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback<Notify>(
    (n) => {
      const id = Date.now() + Math.random();
      setNotices((list) => [...list, { ...n, id }].slice(-SHOWN));
      if (n.severity !== 'error') setTimeout(() => close(id), INFO_MS);
    },
    [close],
  );
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <Box
        data-testid="notices"
        sx={{
          position: 'fixed',
          left: 12,
          bottom: 34,
          zIndex: 1400,
          display: 'flex',
          flexDirection: 'column',
          gap: 1,
          maxWidth: 480,
        }}
      >
        {notices.map((n) => (
          <NoticeView key={n.id} notice={n} onClose={() => close(n.id)} />
        ))}
      </Box>
    </NoticeContext.Provider>
  );
}

function NoticeView({ notice, onClose }: { notice: Notice; onClose(): void }) {
  const [open, setOpen] = useState(false);
  return (
    <Alert
      severity={notice.severity}
      variant="filled"
      onClose={onClose}
      data-testid="notice"
      action={
        notice.detail ? (
          <Button color="inherit" size="small" onClick={() => setOpen((o) => !o)}>
            {open ? 'Less' : 'Details'}
          </Button>
        ) : undefined
      }
      sx={{ boxShadow: 6, '& .MuiAlert-message': { minWidth: 0 } }}
    >
      {notice.message}
      <Collapse in={open}>
        <Typography variant="caption" component="pre" sx={{ whiteSpace: 'pre-wrap', m: 0, mt: 0.5 }}>
          {notice.detail}
        </Typography>
      </Collapse>
    </Alert>
  );
}

/** Posts a notice; `useNotify()` outside the provider does nothing. */
export function useNotify(): Notify {
  return useContext(NoticeContext);
}

/** Calls a contract method's result through: an error becomes a notice; the value (or null) comes back. */
export function useReportFailure() {
  const notify = useNotify();
  return useMemo(
    () =>
      async <T,>(what: string, p: Promise<Result<T>>): Promise<T | null> => {
        const r = await p;
        if (r.ok) return r.value;
        const more = r.error.detail === undefined ? '' : `\n${JSON.stringify(r.error.detail, null, 2)}`;
        notify({
          severity: 'error',
          message: `${what}: ${r.error.message}`,
          detail: `Error code: ${r.error.code}${more}`,
        });
        return null;
      },
    [notify],
  );
}
