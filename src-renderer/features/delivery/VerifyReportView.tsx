// How an export ended: the master read back and checked against what was asked for (each check's expected
// and actual value), with the light it measured; or why it failed.
import { Alert, Box, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { ExportRecord } from '../../../src-main/common/contract';
import { FORMATS, MASTERING } from './format';

export function VerifyReportView({ record }: { record: ExportRecord }) {
  const report = record.report;
  const failed = report ? report.checks.filter((c) => !c.ok).length : 0;
  return (
    <Stack sx={{ gap: 2 }} data-testid="verify-report" data-ok={report?.ok ? 'true' : 'false'}>
      {record.state === 'cancelled' ? (
        <Alert severity="info">The export was cancelled; no master was written.</Alert>
      ) : record.error ? (
        <Alert severity="error" data-testid="export-error">
          {record.error}
        </Alert>
      ) : report?.ok ? (
        <Alert severity="success" data-testid="verify-summary">
          Master verified: all {report.checks.length} checks passed.
        </Alert>
      ) : report ? (
        <Alert severity="error" data-testid="verify-summary">
          {failed} of {report.checks.length} checks failed.
        </Alert>
      ) : null}
      <Box sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5 }}>
        <Field label="File" value={record.outputPath} />
        <Field
          label="Format"
          value={`${FORMATS.find((f) => f.value === record.format)?.label ?? record.format} · ${MASTERING.find((m) => m.value === record.mastering)?.label ?? record.mastering}`}
        />
        <Field label="Frames" value={String(record.frames)} />
        {report && <Field label="MaxCLL" value={`${report.maxCll} nits`} testId="report-maxcll" />}
        {report && <Field label="MaxFALL" value={`${report.maxFall} nits`} testId="report-maxfall" />}
      </Box>
      {report && (
        <Table size="small" data-testid="verify-checks">
          <TableHead>
            <TableRow>
              <TableCell sx={{ width: 32 }} />
              <TableCell sx={{ width: 210 }}>Check</TableCell>
              <TableCell>Expected</TableCell>
              <TableCell>Read back</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {report.checks.map((c) => (
              <TableRow key={c.name} data-testid="verify-check" data-ok={c.ok ? 'true' : 'false'}>
                <TableCell
                  sx={{ color: c.ok ? '#5cb85c' : '#d9534f', fontWeight: 700 }}
                  aria-label={c.ok ? 'passed' : 'failed'}
                >
                  {c.ok ? '✓' : '✗'}
                </TableCell>
                <TableCell>{c.name}</TableCell>
                <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-word' }}>{c.expected}</TableCell>
                <TableCell
                  sx={{ fontFamily: 'monospace', wordBreak: 'break-word', color: c.ok ? undefined : '#d9534f' }}
                >
                  {c.actual}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Stack>
  );
}

function Field({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="caption" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-testid={testId}>
        {value}
      </Typography>
    </>
  );
}
