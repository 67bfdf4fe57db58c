// `remaster project|import|shots|serve` as child processes against a temp data folder.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { appRoot } from '../../src-main/core/paths';
import type { RunningHost } from '../../src-main/host/server';
import { webSocketCaller } from '../helpers/core';
import { badFiles, frameNumberClip, labelledClip, pqClip, tempDir } from '../helpers/media-fixtures';

const tmp = tempDir();
after(() => tmp.cleanup());
const data = join(tmp.dir, 'data');

const bin = join(appRoot(), 'src-main', 'cli', 'bin.ts');

/** `remaster ARGS` on the test's library. */
function remaster(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return remasterOn(data, ...args);
}

function remasterOn(dir: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', bin, '--data', dir, ...args], {
    cwd: appRoot(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('project create / list', () => {
  let r = remaster('project', 'create', 'Night shoot');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /created project "Night shoot"/);
  r = remaster('project', 'create', 'Night shoot');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster project create: A project named "Night shoot" already exists\n');
  r = remaster('project', 'list');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Night shoot\t0 clips\t0 shots\t/);
  r = remaster('project', 'list', '--json');
  assert.equal(JSON.parse(r.stdout)[0].name, 'Night shoot');
  r = remaster('project', 'frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^remaster project: unknown sub-command "frobnicate"\nusage: remaster project create NAME\n/);
  r = remaster('project', 'create', 'Night', 'shoot');
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'remaster project create: unexpected argument "shoot" (quote a name that has spaces)\nusage: remaster project create NAME\n',
  );
  r = remaster('project', 'create', '   ');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster project create: A project needs a name: "   "\n');
});

test('import with progress on stderr, then shots as text and JSON', () => {
  let r = remaster('import', 'Night shoot', labelledClip(), frameNumberClip(48));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\[100%\] Imported 2 clips/);
  assert.match(r.stdout, /labelled\.mp4: 320x180 24000\/1001 fps, 256 frames, 6 shots/);
  r = remaster('shots', 'Night shoot', '--json');
  assert.equal(r.code, 0, r.stderr);
  const shots = JSON.parse(r.stdout) as {
    clip: string;
    firstFrame: number;
    lastFrame: number;
    startTimecode: string;
  }[];
  const lab = shots.filter((s) => s.clip === 'labelled.mp4');
  assert.deepEqual(
    lab.map((s) => s.firstFrame),
    [0, 40, 80, 126, 178, 216],
  );
  assert.equal(lab[1].startTimecode, '00:00:01:16');
  const num = shots.filter((s) => s.clip.startsWith('numbered'));
  assert.equal(num[0].startTimecode, '01:00:00:00');
  r = remaster('shots', 'Night shoot');
  assert.equal(r.code, 0);
  assert.match(
    r.stdout,
    /^#\tclip\tfirst\tlast\tstart TC\tend TC\n1\tlabelled\.mp4\t0\t39\t00:00:00:00\t00:00:01:15\n/,
  );
});

test('grade: set content and diffuse white on some shots, read back as text and JSON; bad values change nothing', () => {
  const shots = JSON.parse(remaster('shots', 'Night shoot', '--json').stdout) as { id: string }[];
  const [a, b] = [shots[0].id, shots[1].id];
  let r = remaster(
    'grade',
    'Night shoot',
    '--shots',
    `${a},${b}`,
    '--set',
    'content=graphics',
    '--set',
    'diffuseWhite=300',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1\tlabelled\.mp4\tv1\tdiffuseWhite=300 content=graphics\n2\tlabelled\.mp4\tv1\t/);
  r = remaster('grade', 'Night shoot', '--json');
  assert.equal(r.code, 0, r.stderr);
  const grades = JSON.parse(r.stdout) as { id: string; version: number; grade: Record<string, unknown> }[];
  assert.equal(grades.length, shots.length);
  assert.deepEqual(
    grades.slice(0, 3).map((g) => [g.version, g.grade.content, g.grade.diffuseWhite]),
    [
      [1, 'graphics', 300],
      [1, 'graphics', 300],
      [0, 'live', 203],
    ],
  );
  for (const bad of ['content=anime', 'diffuseWhite=9000', 'diffuseWhite=bright', 'glow=1', 'content']) {
    r = remaster('grade', 'Night shoot', '--set', bad);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--set/);
  }
  r = remaster('grade', 'Night shoot', '--shots', 'nope', '--set', 'content=live');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no shot nope in project "Night shoot"/);
  // Nothing above wrote a version: the third shot is still at its default.
  r = remaster('grade', 'Night shoot', '--json');
  assert.equal((JSON.parse(r.stdout) as { version: number }[])[2].version, 0);
});

test('render and export of a clip tagged HDR go ahead, each with one warning that it is not SDR', () => {
  const dir = join(tmp.dir, 'hdr-data');
  const baseline = join(appRoot(), 'models', 'baseline-x2.onnx');
  let r = remasterOn(dir, 'project', 'create', 'HDR reel');
  assert.equal(r.code, 0, r.stderr);
  r = remasterOn(dir, 'import', 'HDR reel', pqClip(), '--no-shots');
  assert.equal(r.code, 0, r.stderr);
  const warning = /remaster (import|render|export): warning: .*pq\.mov: tagged as an HDR clip \(PQ, SMPTE ST 2084\)/g;
  assert.deepEqual(
    [...r.stderr.matchAll(warning)].map((m) => m[1]),
    ['import'],
  );
  r = remasterOn(dir, 'render', 'HDR reel', '--model', baseline);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    [...r.stderr.matchAll(warning)].map((m) => m[1]),
    ['render'],
  );
  const out = join(tmp.dir, 'hdr-reel-tiff');
  r = remasterOn(dir, 'export', 'HDR reel', '--format', 'tiff16', '--out', out, '--model', baseline);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    [...r.stderr.matchAll(warning)].map((m) => m[1]),
    ['export'],
  );
  assert.ok(existsSync(out));
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
  assert.equal(
    r.stderr,
    'remaster import: missing argument FILE...\nusage: remaster import PROJECT FILE... [--no-shots] [--no-proxies]\n',
  );
  r = remaster('shots', 'Night shoot', '--frames');
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split('\n')[0], 'remaster shots: unknown option --frames');
  r = remaster('project', 'list', '--data', data);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.split('\n')[0],
    'remaster project list: unknown option --data (a global option: put it before the command)',
  );
});

test('project rename, then delete: the library forgets it, its caches go, the media file stays byte for byte', () => {
  const clip = join(tmp.dir, 'keep me.mp4');
  copyFileSync(frameNumberClip(48), clip);
  const before = readFileSync(clip);
  let r = remaster('project', 'create', 'Dailies');
  assert.equal(r.code, 0, r.stderr);
  const id = /\(([0-9a-f-]{36})\)/.exec(r.stdout)![1];
  r = remaster('import', 'Dailies', clip);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(data, 'cache', id)), 'the import made proxies');

  r = remaster('project', 'rename', 'Dailies', 'Night shoot');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster project rename: A project named "Night shoot" already exists\n');
  r = remaster('project', 'rename', 'Dailies', ' Dailies, day 2 ');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `renamed project "Dailies" to "Dailies, day 2" (${id})\n`);
  r = remaster('project', 'rename', 'Dailies', 'Other');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster project rename: No project named "Dailies"\n');

  r = remaster('project', 'delete', 'Dailies, day 2');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `deleted project "Dailies, day 2" (${id}): 1 clip, 1 shot and their caches; media files untouched\n`,
  );
  assert.equal(r.stderr, '');
  assert.ok(!existsSync(join(data, 'cache', id)));
  assert.deepEqual(readFileSync(clip), before);
  assert.equal(statSync(clip).size, before.length);
  r = remaster('project', 'list', '--json');
  assert.deepEqual(
    (JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name),
    ['Night shoot'],
  );
  r = remaster('project', 'delete', 'Dailies, day 2');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster project delete: No project named "Dailies, day 2"\n');
});

test('serve: --no-demo, --media-root and --port reach the host; --demo is refused', async () => {
  let r = remaster('serve', '--demo');
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split('\n')[0], 'remaster serve: unknown option --demo');
  r = remaster('serve', '--port', '70000');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'remaster serve: --port must be 0..65535, got 70000\n');

  const served = join(tmp.dir, 'served');
  const args = ['--data', served, 'serve', '--port', '0', '--no-demo', '--media-root', tmp.dir];
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], {
    cwd: appRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL'); // a failed assertion must not leave the host running
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 30 s: ${out}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  assert.match(out, /^Remaster \(browser mode\) is running\. Open:\n {2}http:\/\/127\.0\.0\.1:\d+\//);
  const { port, searchParams } = new URL(url);
  const caller = await webSocketCaller({ port: Number(port), token: searchParams.get('token')! } as RunningHost);
  const status = (await caller.call('library.status', {})) as {
    ok: boolean;
    value: { mediaRoots: string[]; file: string };
  };
  await caller.close();
  assert.deepEqual(status.value.mediaRoots, [realpathSync(tmp.dir)]);
  assert.equal(status.value.file, join(served, 'library.sqlite'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  r = remasterOn(served, 'project', 'list');
  assert.equal(r.stdout, 'no projects\n');
});
