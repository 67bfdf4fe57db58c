// `remaster project|import|shots` as child processes against a temp data folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { appRoot } from '../../src-main/core/paths';
import { badFiles, frameNumberClip, labelledClip, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());
const data = join(tmp.dir, 'data');

function remaster(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(appRoot(), 'src-main', 'cli', 'bin.ts'), '--data', data, ...args], { cwd: appRoot(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('project create / list', () => {
  let r = remaster('project', 'create', 'Night shoot');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /created project "Night shoot"/);
  r = remaster('project', 'create', 'Night shoot');
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^remaster project: A project named "Night shoot" already exists$/);
  r = remaster('project', 'list');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Night shoot\t0 clips\t0 shots\t/);
  r = remaster('project', 'list', '--json');
  assert.equal(JSON.parse(r.stdout)[0].name, 'Night shoot');
  r = remaster('project', 'frobnicate');
  assert.equal(r.code, 2);
});

test('import with progress on stderr, then shots as text and JSON', () => {
  let r = remaster('import', 'Night shoot', labelledClip(), frameNumberClip(48));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[100%\] Imported 2 clips/);
  assert.match(r.stdout, /labelled\.mp4: 320x180 24000\/1001 fps, 256 frames, 6 shots/);
  r = remaster('shots', 'Night shoot', '--json');
  assert.equal(r.code, 0, r.stderr);
  const shots = JSON.parse(r.stdout) as { clip: string; firstFrame: number; lastFrame: number; startTimecode: string }[];
  const lab = shots.filter((s) => s.clip === 'labelled.mp4');
  assert.deepEqual(lab.map((s) => s.firstFrame), [0, 40, 80, 126, 178, 216]);
  assert.equal(lab[1].startTimecode, '00:00:01:16');
  const num = shots.filter((s) => s.clip.startsWith('numbered'));
  assert.equal(num[0].startTimecode, '01:00:00:00');
  r = remaster('shots', 'Night shoot');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^#\tclip\tfirst\tlast\tstart TC\tend TC\n1\tlabelled\.mp4\t0\t39\t00:00:00:00\t00:00:01:15\n/);
});

test('bad input: exit 2 with one line naming the file and the problem', () => {
  const bad = badFiles(tmp.dir);
  let r = remaster('import', 'Night shoot', bad.zeroByte);
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim().split('\n').pop()!, /^remaster import: .*empty\.mov: empty file \(0 bytes\)$/);
  r = remaster('import', 'Night shoot', bad.audioOnly, bad.truncated);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /music\.wav: audio only/);
  assert.match(r.stderr, /truncated\.mp4: truncated or not a media file/);
  r = remaster('import', 'No such project', frameNumberClip(48));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /No project named "No such project"/);
  r = remaster('shots');
  assert.equal(r.code, 2);
  r = remaster('import', 'Night shoot');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: remaster import PROJECT FILE/);
});
