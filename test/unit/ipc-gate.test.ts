// The Electron transport's checks, run without Electron: the gate in front of the real contract dispatcher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_BYTES } from '../../src-main/common/contract';
import { createDispatch, type Handlers } from '../../src-main/core/dispatch';
import { createIpcGate, isAppUrl } from '../../src-main/core/ipc-gate';
import { createLogger } from '../../src-main/core/log';

const log = createLogger({ quiet: true, level: 'error' });
const own = { url: 'app://remaster/index.html' };

/** A gate whose only handler is dialog.pickMedia, recording what reached it. */
function gateWithHandler(): { gate: ReturnType<typeof createIpcGate>; seen: unknown[] } {
  const seen: unknown[] = [];
  const handlers = {
    'dialog.pickMedia': (r: unknown) => {
      seen.push(r);
      return { files: ['/footage/reel1.mov'] };
    },
  } as unknown as Handlers;
  return { gate: createIpcGate(createDispatch(handlers, log), log), seen };
}

test('a call from our own renderer reaches the handler with the validated request and returns its value', async () => {
  const { gate, seen } = gateWithHandler();
  const r = await gate(own, 'dialog.pickMedia', { title: 'Import reel 1', multiple: false });
  assert.deepEqual(r, { ok: true, value: { files: ['/footage/reel1.mov'] } });
  assert.deepEqual(seen, [{ title: 'Import reel 1', multiple: false }]);
  // Any page of the app, at any path or with a query, is the same origin.
  assert.equal((await gate({ url: 'app://remaster/project?id=3#shot-2' }, 'dialog.pickMedia', {})).ok, true);
});

test('a frame from any other origin, or a frame already gone, is refused before the dispatcher', async () => {
  const { gate, seen } = gateWithHandler();
  for (const url of [
    'https://remaster/index.html',
    'app://evil/index.html',
    'app://remaster.evil.com/',
    'app://remaster:8080/',
    'file:///index.html',
    'http://127.0.0.1:7450/',
    'not a url',
    '',
    null,
  ]) {
    const r = await gate({ url }, 'dialog.pickMedia', {});
    assert.deepEqual(r, { ok: false, error: { code: 'unauthorized', message: 'Untrusted sender' } }, String(url));
  }
  assert.deepEqual(seen, []);
});

test('a request over the size limit, or one JSON cannot carry, is refused as too_large', async () => {
  const { gate, seen } = gateWithHandler();
  const justOver = await gate(own, 'dialog.pickMedia', { title: 'x'.repeat(MAX_MESSAGE_BYTES) });
  assert.equal(justOver.ok, false);
  assert.equal(!justOver.ok && justOver.error.code, 'too_large');
  assert.match(!justOver.ok ? justOver.error.message : '', /over the 1048576-byte limit/);
  // The limit is in bytes: 'é' is two bytes of UTF-8, so half a megabyte of them is over it.
  const wide = await gate(own, 'dialog.pickMedia', { title: 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1) });
  assert.equal(!wide.ok && wide.error.code, 'too_large');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const r = await gate(own, 'dialog.pickMedia', cyclic);
  assert.equal(!r.ok && r.error.code, 'too_large');
  assert.deepEqual(seen, []);
});

test('a malformed request is bad_request and an unknown method unknown_method', async () => {
  const { gate, seen } = gateWithHandler();
  const bad = await gate(own, 'dialog.pickMedia', { multiple: 'yes' });
  assert.equal(!bad.ok && bad.error.code, 'bad_request');
  assert.match(!bad.ok ? bad.error.message : '', /Invalid request for dialog.pickMedia: multiple/);
  const extra = await gate(own, 'dialog.pickMedia', { path: '/etc/passwd' });
  assert.equal(!extra.ok && extra.error.code, 'bad_request');
  const unknown = await gate(own, 'library.dropEverything', {});
  assert.deepEqual(unknown, {
    ok: false,
    error: { code: 'unknown_method', message: 'Unknown method: library.dropEverything' },
  });
  const notAString = await gate(own, 42, {});
  assert.equal(!notAString.ok && notAString.error.code, 'unknown_method');
  // An object whose toString is gone made String(method) throw: the caller got a rejected promise.
  const noToString = await gate(own, { toString: null }, {});
  assert.deepEqual(noToString, { ok: false, error: { code: 'unknown_method', message: 'Unknown method: (object)' } });
  assert.deepEqual(seen, []);
});

test('one origin check for IPC senders, navigation, redirects and the app: protocol', () => {
  // The pages Electron's window loads, navigates between and fetches from app://.
  for (const url of ['app://remaster/index.html', 'app://remaster/', 'app://remaster/media/p1/thumb.jpg?v=2'])
    assert.equal(isAppUrl(url), true, url);
  // A link or redirect anywhere else, a look-alike host, or a userinfo trick stays out.
  for (const url of [
    'https://example.com/',
    'app://remaster.evil.com/index.html',
    'app://evil/remaster/index.html',
    'app://remaster@evil/index.html',
    'app://remaster:1/',
    'file:///app/remaster/index.html',
    'javascript:alert(1)',
    'remaster/index.html',
    '',
    null,
    undefined,
  ])
    assert.equal(isAppUrl(url), false, String(url));
});
