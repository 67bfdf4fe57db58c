// Who runs a job: the owning process's pid, its start identity (so a reused pid is not taken for the owner) and
// host, plus a heartbeat the owner refreshes. Any process sharing the library judges from these whether a job's
// owner is still alive.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const INTERRUPTED = 'interrupted (the process that ran it stopped)';
/** How often an owner refreshes its jobs' heartbeat; three missed beats mean the owner is gone. */
export const HEARTBEAT_MS = 2000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export interface JobOwner {
  pid: number;
  start: string | null;
  host: string;
}

/** The owner columns of a jobs row (null on rows written before owners were recorded). */
export interface JobOwnerRow {
  owner_pid: number | null;
  owner_start: string | null;
  owner_host: string | null;
  heartbeat_at: number | null;
  detail_json: string | null;
}

/** A process as /proc sees it: its start time in clock ticks since boot, and whether it is a zombie. */
function procStat(pid: number): { start: string; zombie: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: fields[19], zombie: fields[0] === 'Z' };
  } catch {
    return null;
  }
}

export function ownerOfThisProcess(): JobOwner {
  return { pid: process.pid, start: procStat(process.pid)?.start ?? null, host: hostname() };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a job's owner still runs. On this host the pid and its start identity decide (a heartbeat could go
 * stale while a busy owner's event loop is blocked); where they cannot (another host, no /proc, this very
 * process through another library connection), the heartbeat does.
 */
export function isOwnerAlive(row: JobOwnerRow, self: JobOwner, nowMs = Date.now()): boolean {
  const fresh = row.heartbeat_at !== null && nowMs - row.heartbeat_at < STALE_AFTER_MS;
  if (row.owner_pid === null) return legacyOwnerAlive(row.detail_json);
  if (row.owner_host !== self.host) return fresh;
  if (row.owner_pid === self.pid) return row.owner_start === self.start && fresh;
  if (!pidExists(row.owner_pid)) return false;
  const now = procStat(row.owner_pid);
  if (now?.zombie) return false;
  if (now && row.owner_start) return now.start === row.owner_start;
  return fresh;
}

/** Rows from before owners were recorded carry only a pid in their detail. */
function legacyOwnerAlive(detail: string | null): boolean {
  let pid: unknown;
  try {
    pid = (JSON.parse(detail ?? '{}') as { pid?: unknown }).pid;
  } catch {
    return false;
  }
  if (typeof pid !== 'number' || pid === process.pid) return false;
  return pidExists(pid) && !procStat(pid)?.zombie;
}
