// A real core (real SQLite file, real worker process) in a temp folder, and ways to call it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createCore, type Core } from '../../src-main/core';
import { createLogger } from '../../src-main/core/log';
import { startHost, type RunningHost } from '../../src-main/host/server';
import type { Job, Result } from '../../src-main/common/contract';

export function tempDir(prefix = 'remaster-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testCore(dataDir: string, opts: { demo?: boolean; mediaRoots?: string[] } = {}): Core {
  return createCore({
    host: 'headless',
    dataDir,
    log: createLogger({ dir: join(dataDir, 'logs'), quiet: true }),
    demo: opts.demo ?? false,
    mediaRoots: opts.mediaRoots,
  });
}

export interface Caller {
  name: string;
  call(method: string, request: unknown): Promise<Result<unknown>>;
  close(): Promise<void>;
}

export function inProcessCaller(core: Core): Caller {
  return { name: 'in-process', call: (m, r) => core.dispatch(m, r), close: async () => undefined };
}

/** A WebSocket client like the renderer's: token in the URL, Origin of the host itself. */
export async function webSocketCaller(
  host: RunningHost,
  opts: { onEvent?: (event: string, payload: unknown) => void } = {},
): Promise<Caller & { ws: WebSocket; raw(data: string | Buffer): Promise<unknown> }> {
  const origin = `http://127.0.0.1:${host.port}`;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, { origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map<number, (m: unknown) => void>();
  const anonymous: ((m: unknown) => void)[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as {
      kind: string;
      id?: number;
      result?: unknown;
      event?: string;
      payload?: unknown;
    };
    if (msg.kind === 'event') opts.onEvent?.(msg.event!, msg.payload);
    else if (msg.kind === 'response') {
      const w = waiting.get(msg.id!);
      if (w) {
        waiting.delete(msg.id!);
        w(msg.result);
      } else anonymous.shift()?.(msg.result);
    }
  });
  return {
    name: 'websocket',
    ws,
    call(method, request) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve as (m: unknown) => void);
        ws.send(JSON.stringify({ id, method, request }));
      });
    },
    raw(data) {
      return new Promise((resolve) => {
        anonymous.push(resolve);
        ws.send(data);
      });
    },
    close: async () => {
      ws.close();
    },
  };
}

export { startHost };

/** A core's contract as a test calls it: the value of a call that must succeed, and a job waited to its end. */
export function coreCalls(core: () => Core): {
  call<T>(method: string, request: unknown): Promise<T>;
  jobDone(jobId: string): Promise<Job>;
} {
  const call = async <T>(method: string, request: unknown): Promise<T> => {
    const r = await core().dispatch(method, request);
    assert.ok(r.ok, `${method}: ${JSON.stringify(r)}`);
    return r.value as T;
  };
  const jobDone = async (jobId: string): Promise<Job> => {
    for (;;) {
      const j = await call<Job>('jobs.get', { jobId });
      if (!['queued', 'running', 'paused'].includes(j.state)) return j;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { call, jobDone };
}
