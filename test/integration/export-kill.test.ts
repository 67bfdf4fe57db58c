// Issue 17: an export killed with SIGKILL mid-encode leaves its `.partial` master behind (the name carries the
// dead process's pid); the same command run again must remove it, finish, and give a master byte-identical to
// an uninterrupted export. Real CLI (built bin), real library, baseline model, real ffmpeg/x265.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventHub } from '../../src-main/core/events';
import { openLibrary } from '../../src-main/core/library';
import { demoCuts } from '../../src-main/core/library/demo';
import { appRoot } from '../../src-main/core/paths';
import { CLI } from '../helpers/faults';
import { quietLog, tempDir } from '../helpers/media-fixtures';
import { BASELINE_X2, DEMO_CLIP } from '../helpers/render-fixture';

const tmp = tempDir('remaster-export-kill-');
const data = join(tmp.dir, 'data');
after(() => tmp.cleanup());

const args = (out: string): string[] => [
  CLI,
  ...['--data', data, 'export', 'Kill', '--format', 'hdr10-hevc', '--out', out, '--frames', '0-11'],
  ...['--model', BASELINE_X2],
];
const exportTo = (out: string) =>
  spawnSync(process.execPath, args(out), { cwd: appRoot(), encoding: 'utf8', timeout: 600_000 });
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const partials = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.partial'));

before(async () => {
  const lib = openLibrary({ dataDir: data, log: quietLog, events: new EventHub() });
  const p = lib.createProject('Kill');
  await lib.importClips(p.id, [DEMO_CLIP], { knownCuts: { [DEMO_CLIP]: demoCuts() }, proxies: false }).done;
  // The first shot cut to the 12 frames exported, so only those are rendered (2560x1440, two shared cores).
  const first = lib.api['shots.list']({ projectId: p.id })[0];
  lib.api['shots.split']({ shotId: first.id, frame: 12 });
  lib.close();
});

test(
  'SIGKILL mid-export, then the same command: the partial is removed and the master is byte-identical',
  {
    skip: existsSync(CLI) ? false : 'the built bin is missing: run npm run build first',
  },
  async (t) => {
    const [dirA, dirB] = [join(tmp.dir, 'a'), join(tmp.dir, 'b')];
    mkdirSync(dirA);
    mkdirSync(dirB);
    const [outA, outB] = [join(dirA, 'master.mp4'), join(dirB, 'master.mp4')];

    // Uninterrupted first: it also renders the shot, so the killed run below goes straight to encoding.
    let t0 = Date.now();
    const whole = exportTo(outA);
    assert.equal(whole.status, 0, whole.stderr);
    assert.match(whole.stdout, /master\.mp4: verified \(hdr10-hevc, 12 frames/);
    t.diagnostic(`uninterrupted export with render: ${Date.now() - t0} ms, ${statSync(outA).size} bytes`);

    const child = spawn(process.execPath, args(outB), { cwd: appRoot(), stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', (_c, sig) => r(sig)));
    // Killed once the encoder has written into the partial and it has grown since first seen.
    let seen = 0;
    let killedAt = 0;
    for (const deadline = Date.now() + 300_000; ;) {
      assert.ok(Date.now() < deadline && child.exitCode === null, 'the partial master never grew before the end');
      const [name] = partials(dirB);
      const size = name ? statSync(join(dirB, name)).size : 0;
      if (seen > 0 && size > seen) {
        killedAt = size;
        break;
      }
      if (!seen && size > 0) seen = size;
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const left = partials(dirB);
    assert.equal(left.length, 1, `one partial left by the kill: ${left.join(', ')}`);
    assert.match(left[0], new RegExp(`^\\.master\\.mp4\\.partial-${child.pid}\\.mp4$`));
    assert.ok(!existsSync(outB), 'nothing under the master name after the kill');
    t.diagnostic(`killed with the partial at ${killedAt} bytes (first seen at ${seen})`);

    t0 = Date.now();
    const rerun = exportTo(outB);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stdout, /master\.mp4: verified \(hdr10-hevc, 12 frames/);
    assert.doesNotMatch(rerun.stdout, /FAIL/);
    t.diagnostic(`rerun: ${Date.now() - t0} ms`);
    assert.deepEqual(readdirSync(dirB), ['master.mp4'], 'no partial left, nothing but the master');
    assert.equal(sha256(outB), sha256(outA), 'the resumed master is byte-identical to the uninterrupted one');
  },
);
