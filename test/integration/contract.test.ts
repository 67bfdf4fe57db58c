// One set of contract cases, run against the core in-process and over the headless host's WebSocket:
// both transports must give the same typed answers.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Core } from '../../src-main/core';
import { appRoot } from '../../src-main/core/paths';
import { inProcessCaller, startHost, tempDir, testCore, webSocketCaller, type Caller } from '../helpers/core';
import type { RunningHost } from '../../src-main/host/server';

const version = (JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string }).version;

function contractCases(getCaller: () => Caller) {
  test('app.info answers with the app version and host', async () => {
    const r = await getCaller().call('app.info', {});
    assert.ok(r.ok);
    const v = r.value as { name: string; version: string; host: string };
    assert.equal(v.name, 'Remaster');
    assert.equal(v.version, version);
    assert.equal(v.host, 'headless');
  });

  test('inference.status describes the real worker', async () => {
    const r = await getCaller().call('inference.status', {});
    assert.ok(r.ok);
    const v = r.value as { state: string; restarts: number };
    assert.ok(['starting', 'ready', 'busy'].includes(v.state), v.state);
    assert.equal(v.restarts, 0);
  });

  test('a created project is listed, with its name trimmed', async () => {
    const c = getCaller();
    const created = await c.call('library.createProject', { name: `  Reel ${c.name}  ` });
    assert.ok(created.ok, JSON.stringify(created));
    const list = await c.call('library.listProjects', {});
    assert.ok(list.ok);
    const names = (list.value as { name: string }[]).map((p) => p.name);
    assert.ok(names.includes(`Reel ${c.name}`), names.join());
  });

  test('an unknown method is a typed error', async () => {
    const r = await getCaller().call('library.dropAllTables', {});
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'unknown_method');
  });

  test('wrong types are a typed error naming the field', async () => {
    const r = await getCaller().call('library.createProject', { name: 42 });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'bad_request');
    assert.match(!r.ok ? r.error.message : '', /name/);
  });

  test('unexpected fields and missing requests are rejected, not ignored', async () => {
    const extra = await getCaller().call('app.info', { sneaky: true });
    assert.equal(!extra.ok && extra.error.code, 'bad_request');
    const empty = await getCaller().call('library.createProject', null);
    assert.equal(!empty.ok && empty.error.code, 'bad_request');
  });

  test('an over-long value is refused by the schema', async () => {
    const r = await getCaller().call('library.createProject', { name: 'x'.repeat(5000) });
    assert.equal(!r.ok && r.error.code, 'bad_request');
  });
}

describe('contract in-process', () => {
  let core: Core;
  let caller: Caller;
  const tmp = tempDir();
  before(() => {
    core = testCore(tmp.dir);
    caller = inProcessCaller(core);
  });
  after(async () => {
    await core.close();
    tmp.cleanup();
  });
  contractCases(() => caller);
});

describe('contract over WebSocket', () => {
  let core: Core;
  let host: RunningHost;
  let caller: Awaited<ReturnType<typeof webSocketCaller>>;
  const events: { event: string; payload: unknown }[] = [];
  const tmp = tempDir();
  before(async () => {
    core = testCore(tmp.dir);
    host = await startHost({ core, port: 0 });
    caller = await webSocketCaller(host, { onEvent: (event, payload) => events.push({ event, payload }) });
  });
  after(async () => {
    await caller.close();
    await host.close();
    await core.close();
    tmp.cleanup();
  });
  contractCases(() => caller);

  test('oversized, non-JSON and binary messages get typed errors and the host keeps serving', async () => {
    const big = (await caller.raw(
      JSON.stringify({ id: 99, method: 'library.createProject', request: { name: 'x'.repeat(2 << 20) } }),
    )) as { ok: boolean; error: { code: string } };
    assert.equal(big.error.code, 'too_large');
    const junk = (await caller.raw('{not json')) as { error: { code: string } };
    assert.equal(junk.error.code, 'bad_request');
    const shape = (await caller.raw(JSON.stringify({ id: 'one', method: 3 }))) as { error: { code: string } };
    assert.equal(shape.error.code, 'bad_request');
    const bin = (await caller.raw(Buffer.from([1, 2, 3]))) as { error: { code: string } };
    assert.equal(bin.error.code, 'bad_request');
    const after = await caller.call('app.info', {});
    assert.ok(after.ok);
  });

  test('events are pushed: the worker becomes ready', async () => {
    await core.inference.start();
    const deadline = Date.now() + 10_000;
    while (
      !events.some((e) => e.event === 'inference.state' && (e.payload as { state: string }).state === 'ready') &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const ready = events.find(
      (e) => e.event === 'inference.state' && (e.payload as { state: string }).state === 'ready',
    );
    assert.ok(ready, JSON.stringify(events));
    assert.match((ready.payload as { device: string }).device, /^CPU fp32(, \d+ threads?)? \(onnxruntime /);
  });

  test('connections without the token, or from another origin, are refused', async () => {
    const attempt = (url: string, origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    const base = `ws://127.0.0.1:${host.port}/api`;
    assert.equal(await attempt(base, `http://127.0.0.1:${host.port}`), 401);
    assert.equal(await attempt(`${base}?token=wrong`, `http://127.0.0.1:${host.port}`), 401);
    assert.equal(await attempt(`${base}?token=${host.token}`, 'http://evil.example'), 403);
    assert.equal(await attempt(`${base}?token=${host.token}`), 403);
    assert.equal(await attempt(`${base}?token=${host.token}`, `http://127.0.0.1:${host.port}`), 101);
  });

  test('a refused handshake followed by a connection reset does not take the host down', async () => {
    const { connect } = await import('node:net');
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const sock = connect(host.port, '127.0.0.1', () => {
          sock.write(
            `GET /api?token=wrong HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          sock.resetAndDestroy();
          resolve();
        });
        sock.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    assert.equal(res.status, 200);
    const gone = await fetch(
      `http://127.0.0.1:${host.port}/media/${encodeURIComponent('/nonexistent/x.jpg')}?token=${host.token}`,
    );
    assert.equal(gone.status, 404);
  });

  test('the host serves the renderer with a strict CSP and nothing outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await res.text(), /<div id="root">/);
    const escape = await fetch(`http://127.0.0.1:${host.port}/..%2f..%2fpackage.json`);
    assert.equal(escape.status, 404);
  });

  test('the app page without the token (or with a wrong one) is refused with a page naming the command', async () => {
    for (const query of ['', '?token=wrong']) {
      const res = await fetch(`http://127.0.0.1:${host.port}/${query}`);
      assert.equal(res.status, 401, query);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const page = await res.text();
      assert.match(page, /This address has no access token/);
      assert.match(page, /<code>[^<]+<\/code>/);
      assert.doesNotMatch(page, /id="root"/);
    }
  });
});
