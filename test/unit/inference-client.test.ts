// The inference client's process management with a scripted worker: no leaked processes, no endless
// restarts, hung workers replaced. (The real worker process is exercised in test/integration/worker.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceClient } from '../../src-main/core/inference/client';
import type { WorkerHandle } from '../../src-main/core/inference/launcher';
import { createLogger } from '../../src-main/core/log';
import { ServiceError } from '../../src-main/common/contract';

const log = createLogger({ quiet: true, level: 'error' });
type Behaviour = 'ok' | 'bad-model' | 'crash-on-load' | 'hang-on-run';

function fakeLauncher(script: Behaviour[]) {
  const spawned: { alive: boolean }[] = [];
  const launcher = (): WorkerHandle => {
    const behaviour = script[Math.min(spawned.length, script.length - 1)];
    const proc = { alive: true };
    spawned.push(proc);
    const onMsg: ((m: unknown) => void)[] = [];
    const onExit: ((c: number | null) => void)[] = [];
    const die = (code: number | null) => {
      if (!proc.alive) return;
      proc.alive = false;
      setImmediate(() => onExit.forEach((cb) => cb(code)));
    };
    const reply = (m: unknown) => setImmediate(() => proc.alive && onMsg.forEach((cb) => cb(m)));
    reply({ type: 'hello', pid: spawned.length });
    return {
      pid: spawned.length,
      post(m) {
        const req = m as { id: number; type: string };
        if (req.type === 'load') {
          if (behaviour === 'bad-model')
            reply({
              type: 'reply',
              id: req.id,
              ok: false,
              error: { code: 'bad_input', message: 'x.onnx is not a usable ONNX model' },
            });
          else if (behaviour === 'crash-on-load') die(1);
          else
            reply({
              type: 'reply',
              id: req.id,
              ok: true,
              value: {
                pid: 1,
                provider: 'cpu',
                device: 'CPU (fake)',
                runtimeVersion: '0',
                model: {
                  name: 'm',
                  file: 'm',
                  scale: 2,
                  inputs: ['sdr'],
                  outputs: ['hdr', 'base'],
                  tileMargin: 0,
                  tileAlign: 1,
                  precision: 'fp32',
                },
                providerNote: null,
              },
            });
        } else if (req.type === 'run' && behaviour !== 'hang-on-run') {
          reply({
            type: 'reply',
            id: req.id,
            ok: true,
            value: { hdr: new Float32Array(4), base: new Float32Array(4), dims: [1, 1, 2, 2], ms: 1 },
          });
        }
      },
      onMessage: (cb) => onMsg.push(cb),
      onExit: (cb) => onExit.push(cb),
      kill: () => die(null),
    };
  };
  return { launcher, spawned, alive: () => spawned.filter((p) => p.alive).length };
}

const input = () => new Float32Array(3);

test('an unusable model fails once, kills its worker, and is not retried for every request', async () => {
  const f = fakeLauncher(['bad-model']);
  const c = new InferenceClient({ launcher: f.launcher, modelPath: 'x.onnx', log });
  await assert.rejects(c.start(), (e: unknown) => e instanceof ServiceError && e.code === 'bad_input');
  for (let i = 0; i < 5; i++) await assert.rejects(c.run(input(), [1, 1, 1, 3]), /not a usable ONNX model/);
  assert.equal(f.spawned.length, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(f.alive(), 0);
  assert.equal(c.status().state, 'failed');
  await c.close();
});

test('a crash while loading leaves no orphan and the next attempt succeeds', async () => {
  const f = fakeLauncher(['crash-on-load', 'ok']);
  const c = new InferenceClient({ launcher: f.launcher, modelPath: 'm.onnx', log });
  await assert.rejects(c.start(), (e: unknown) => e instanceof ServiceError && e.code === 'worker_failed');
  const out = await c.run(input(), [1, 1, 1, 3]);
  assert.equal(out.ms, 1);
  assert.equal(f.spawned.length, 2);
  assert.equal(f.alive(), 1);
  assert.equal(c.status().state, 'ready');
  await c.close();
  assert.equal(f.alive(), 0);
  await assert.rejects(c.run(input(), [1, 1, 1, 3]), /shutting down|stopped/);
  assert.equal(f.spawned.length, 2, 'no worker is started after close()');
});

test('a worker that keeps crashing is given up after the restart limit', async () => {
  const f = fakeLauncher(['crash-on-load']);
  const c = new InferenceClient({ launcher: f.launcher, modelPath: 'm.onnx', log, maxRestarts: 3 });
  for (let i = 0; i < 6; i++) await assert.rejects(c.run(input(), [1, 1, 1, 3]));
  assert.equal(f.spawned.length, 3);
  assert.equal(f.alive(), 0);
  assert.equal(c.status().state, 'failed');
  await c.close();
});

test('a hung run times out, the worker is replaced, and the queue moves on', async () => {
  const f = fakeLauncher(['hang-on-run', 'ok']);
  const c = new InferenceClient({
    launcher: f.launcher,
    modelPath: 'm.onnx',
    log,
    runTimeout: { baseMs: 100, perPixelMs: 0 },
  });
  const hung = c.run(input(), [1, 1, 1, 3]);
  const next = c.run(input(), [1, 1, 1, 3]);
  await assert.rejects(hung, /did not answer within/);
  assert.equal((await next).ms, 1);
  assert.equal(f.spawned.length, 2);
  assert.equal(f.alive(), 1);
  await c.close();
});
