// The real Electron app, where the Electron binary exists (it cannot be downloaded on our CI machines,
// so there this reports itself skipped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _electron as electron } from 'playwright';
import { electronBinary } from '../../src-main/cli/electron-binary';
import { appRoot } from '../../src-main/core/paths';
import { tempDir } from '../helpers/core';

const bin = electronBinary();

test(
  'Electron window: library screen, status bar from the utility-process worker, locked-down renderer',
  { skip: !bin && 'Electron binary not installed on this machine' },
  async () => {
    const tmp = tempDir();
    const app = await electron.launch({
      executablePath: bin!,
      args: [appRoot()],
      env: { ...process.env, REMASTER_DATA: tmp.dir },
    });
    try {
      const page = await app.firstWindow();
      await page.getByTestId('library-screen').waitFor();
      await page.getByTestId('worker-state').filter({ hasText: 'Worker ready' }).waitFor({ timeout: 30_000 });
      assert.match(
        await page.getByTestId('inference-device').innerText(),
        /Inference: (CPU|CUDA|DirectML|CoreML|WebGPU) .*\(onnxruntime /,
      );
      // The renderer has the contract bridge and nothing of Node.
      const surface = await page.evaluate(() => ({
        keys: Object.keys((window as unknown as { remaster: object }).remaster).sort(),
        hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
        hasRequire: typeof (globalThis as { require?: unknown }).require !== 'undefined',
        origin: location.origin,
      }));
      assert.deepEqual(surface.keys, ['invoke', 'on', 'transport']);
      assert.equal(surface.hasProcess, false);
      assert.equal(surface.hasRequire, false);
      assert.equal(surface.origin, 'app://remaster');
    } finally {
      await app.close();
      tmp.cleanup();
    }
  },
);
