// The one file policy both hosts serve by: real files in a temp folder, with symlinks pointing out of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentSecurityPolicy } from '../../src-main/common/csp';
import { realFileUnder, servedFile, type FileSources } from '../../src-main/core/served-files';

const top = realpathSync(mkdtempSync(join(tmpdir(), 'remaster-served-')));
const renderer = join(top, 'renderer');
const cache = join(top, 'data', 'cache');
mkdirSync(join(renderer, 'assets'), { recursive: true });
mkdirSync(join(cache, 'proxies', 'clip-1'), { recursive: true });
writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
writeFileSync(join(renderer, 'assets', 'app.js'), 'export {}');
writeFileSync(join(top, 'secret.txt'), 'not for the browser');
writeFileSync(join(top, 'data', 'library.sqlite'), 'SQLite format 3');
writeFileSync(join(cache, 'proxies', 'clip-1', '000012.jpg'), 'jpeg');
mkdirSync(join(cache, 'p1', 'clip-1', 'frames'), { recursive: true });
writeFileSync(join(cache, 'p1', 'clip-1', 'frames', '12-1280-abc.sdr16'), 'raw');
writeFileSync(join(cache, 'p1', 'clip-1', 'frames', '12-1280-abc-def.hdr16'), 'raw');
symlinkSync(join(top, 'secret.txt'), join(renderer, 'assets', 'leak.js'));
symlinkSync(top, join(renderer, 'up'));
symlinkSync(join(top, 'data', 'library.sqlite'), join(cache, 'library.jpg'));
test.after(() => rmSync(top, { recursive: true, force: true }));

// The cache check the core makes (core.cacheFile): a real file under the cache root.
const sources: FileSources = { host: 'headless', rendererDir: renderer, cacheFile: (p) => realFileUnder(cache, p) };
const media = (path: string): string => `/media/${encodeURIComponent(path)}`;

test('the renderer build is served with its MIME type and the security headers', () => {
  const index = servedFile('/', sources);
  assert.equal(index.status, 200);
  assert.equal(index.status === 200 && index.file, join(renderer, 'index.html'));
  assert.deepEqual(index.headers, {
    'Content-Security-Policy': contentSecurityPolicy('headless'),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
    'Content-Type': 'text/html; charset=utf-8',
  });
  const js = servedFile('/assets/app.js', { ...sources, host: 'electron' });
  assert.equal(js.status === 200 && js.file, join(renderer, 'assets', 'app.js'));
  assert.equal(js.headers['Content-Type'], 'text/javascript; charset=utf-8');
  assert.equal(js.headers['Content-Security-Policy'], contentSecurityPolicy('electron'));
  assert.equal(servedFile('/assets/missing.js', sources).status, 404);
  assert.equal(servedFile('/assets', sources).status, 404, 'a folder is not a file');
});

test('.. and its encodings never leave the renderer folder', () => {
  for (const path of [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    `/${encodeURIComponent(join(top, 'secret.txt'))}`,
  ]) {
    const r = servedFile(path, sources);
    assert.equal(r.status, 404, path);
    assert.equal('body' in r && r.body, 'Not found', path);
    assert.equal(r.headers['Content-Security-Policy'], contentSecurityPolicy('headless'), path);
  }
  assert.equal(servedFile('/%E0%A4%A', sources).status, 400, 'a broken escape');
  assert.equal(servedFile('/index.html%00.png', sources).status, 400, 'a NUL byte');
});

test('symlinks out of the renderer folder are refused', () => {
  assert.equal(servedFile('/assets/leak.js', sources).status, 404);
  assert.equal(servedFile('/up/secret.txt', sources).status, 404);
  assert.equal(realFileUnder(renderer, join(renderer, 'assets', 'leak.js')), null);
});

test('cache files are served from the cache root only, and only when the caller may read the cache', () => {
  const frame = join(cache, 'proxies', 'clip-1', '000012.jpg');
  const r = servedFile(media(frame), sources);
  assert.equal(r.status === 200 && r.file, frame);
  assert.equal(r.headers['Content-Type'], 'image/jpeg');
  assert.equal(r.headers['Cache-Control'], 'private, max-age=60');
  for (const outside of [
    join(top, 'secret.txt'),
    join(top, 'data', 'library.sqlite'),
    join(cache, '..', 'library.sqlite'),
    join(cache, 'library.jpg'),
    cache,
    'proxies/clip-1/000012.jpg',
  ]) {
    assert.equal(servedFile(media(outside), sources).status, 404, outside);
  }
  assert.equal(servedFile(media(frame), { ...sources, cacheFile: null }).status, 404, 'no token, no cache');
});

test("the viewer's raw frames are bytes that never enter the browser's cache", () => {
  for (const name of ['12-1280-abc.sdr16', '12-1280-abc-def.hdr16']) {
    const file = join(cache, 'p1', 'clip-1', 'frames', name);
    const r = servedFile(media(file), sources);
    assert.equal(r.status === 200 && r.file, file);
    assert.equal(r.headers['Content-Type'], 'application/octet-stream');
    assert.equal(r.headers['Cache-Control'], 'no-store', name);
  }
});

test('an unbuilt renderer says so', () => {
  const r = servedFile('/', { ...sources, rendererDir: join(top, 'not-built') });
  assert.equal(r.status, 503);
  assert.match('body' in r ? r.body : '', /npm run build/);
});
