// The headless host: serves the built renderer over HTTP and the contract over a WebSocket, to a browser.
// Browser mode, the end-to-end test target, and later remote review / render nodes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, WireRequest, type WireMessage } from '../common/contract';
import type { Core } from '../core';
import { rendererDir } from '../core/paths';
import { securityHeaders, servedFile } from '../core/served-files';

export interface HostOptions {
  core: Core;
  port?: number;
  /** Address to bind; 127.0.0.1 unless the user asks for another explicitly. */
  bind?: string;
  rendererDir?: string;
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string;
  /** The command that started this host, named to whoever opens it without the token; npm's script by default. */
  launchCommand?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const { core } = opts;
  const log = core.log.child('host');
  const bind = opts.bind ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = opts.rendererDir ?? rendererDir();
  let port = 0;

  const server = createServer((req, res) => serveStatic(root, req, res));
  // Allow frames larger than the contract limit through ws so we can answer them with a typed error.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    // Node drops its own error handler before 'upgrade': without ours, a client resetting the connection
    // after a refusal would crash the host, before any token check could help.
    const onSocketError = (e: Error): void => log.debug('WebSocket handshake socket error', e.message);
    socket.on('error', onSocketError);
    const reject = (status: number, why: string): void => {
      log.warn(`refused WebSocket connection: ${why}`, { origin: req.headers.origin, host: req.headers.host });
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\n\r\n`, () => socket.destroy());
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api') return reject(404, 'Not Found');
    if (!tokenMatches(url.searchParams.get('token'), token)) return reject(401, 'Unauthorized');
    // The Origin must be this server itself: another site open in the same browser cannot drive the app.
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (!origin || !host || origin !== `http://${host}` || !allowedHost(host, bind, port))
      return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onSocketError);
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', (e) => log.warn('WebSocket error', e.message));
    ws.on('message', (data, isBinary) => {
      void handleMessage(ws, data as Buffer, isBinary);
    });
  });

  async function handleMessage(ws: WebSocket, data: Buffer, isBinary: boolean): Promise<void> {
    const send = (m: WireMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    if (isBinary) {
      log.warn('rejected binary WebSocket message');
      return send({
        kind: 'response',
        id: -1,
        result: { ok: false, error: { code: 'bad_request', message: 'Binary messages are not part of the contract' } },
      });
    }
    if (data.length > MAX_MESSAGE_BYTES) {
      log.warn(`rejected oversized message (${data.length} bytes)`);
      // Recover the id from the start of the message if we can, so the caller's promise settles.
      const id = Number(/"id"\s*:\s*(\d+)/.exec(data.subarray(0, 200).toString('utf8'))?.[1] ?? -1);
      return send({
        kind: 'response',
        id,
        result: {
          ok: false,
          error: {
            code: 'too_large',
            message: `Message of ${data.length} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`,
          },
        },
      });
    }
    let parsed: WireRequest;
    try {
      const json: unknown = JSON.parse(data.toString('utf8'));
      const r = WireRequest.safeParse(json);
      if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
      parsed = r.data;
    } catch (e) {
      log.warn('rejected malformed WebSocket message', e instanceof Error ? e.message : e);
      return send({
        kind: 'response',
        id: -1,
        result: {
          ok: false,
          error: { code: 'bad_request', message: `Malformed message: ${e instanceof Error ? e.message : String(e)}` },
        },
      });
    }
    const result = await core.dispatch(parsed.method, parsed.request);
    send({ kind: 'response', id: parsed.id, result });
  }

  const unsubscribe = core.events.subscribe((event, payload) => {
    const msg = JSON.stringify({ kind: 'event', event, payload } satisfies WireMessage);
    for (const c of clients) if (c.readyState === c.OPEN) c.send(msg);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bind, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  log.info(`headless host listening on ${bind}:${port}`);

  return {
    url,
    port,
    token,
    async close() {
      unsubscribe();
      for (const c of clients) c.terminate();
      wss.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Browsers keep idle HTTP connections open; without this, close() would wait for them forever.
      server.closeAllConnections();
      await closed;
    },
  };

  function serveStatic(rootDir: string, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, securityHeaders('headless')).end();
      return;
    }
    if (!req.headers.host || !allowedHost(req.headers.host, bind, port)) {
      res.writeHead(403, securityHeaders('headless')).end('Forbidden host');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Cache files are for <img> tags, which cannot send headers: the token comes in the query.
    const mayReadCache = tokenMatches(url.searchParams.get('token'), token);
    if (!mayReadCache && (url.pathname === '/' || url.pathname === '/index.html')) {
      res.writeHead(401, { ...securityHeaders('headless'), 'Content-Type': 'text/html; charset=utf-8' });
      res.end(noTokenPage(opts.launchCommand ?? launchCommandFromNpm()));
      return;
    }
    const served = servedFile(url.pathname, {
      host: 'headless',
      rendererDir: rootDir,
      cacheFile: mayReadCache ? (p) => core.cacheFile(p) : null,
    });
    if (served.status === 200) sendFile(req, res, served.file, served.headers);
    else res.writeHead(served.status, served.headers).end(served.body);
  }

  /** Streams a file; a file that vanished meanwhile (a proxy being rebuilt) is a 404, never a crash. */
  function sendFile(req: IncomingMessage, res: ServerResponse, file: string, headers: Record<string, string>): void {
    const stream = createReadStream(file);
    stream.once('open', () => {
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        res.end();
        stream.destroy();
      } else stream.pipe(res);
    });
    stream.once('error', (e) => {
      log.debug(`could not send ${file}`, e.message);
      if (!res.headersSent) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      else res.destroy();
    });
  }
}

/** How this process was started, as the user typed it: npm names the script it runs; otherwise the CLI. */
function launchCommandFromNpm(): string {
  const script = process.env.npm_lifecycle_event;
  if (script === 'start') return 'npm start';
  if (script === 'serve') return 'npm run serve';
  if (script === 'remaster') return 'npm run remaster -- serve';
  return 'remaster serve';
}

/** The page for an address without its token: the token is per launch, so only that terminal has it. */
function noTokenPage(command: string): string {
  const escaped = command.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Remaster</title>
<style>body{background:#111;color:#ddd;font:15px system-ui,sans-serif;padding:48px;max-width:720px}code{color:#e8c170}</style>
</head><body><h2>This address has no access token</h2>
<p>Remaster opens only with the full address it printed when it started, token included. Look in the terminal
where you ran <code>${escaped}</code> for the line after "Open:" and open that address.</p></body></html>`;
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Guards against DNS rebinding: only our own address (or localhost) may appear in the Host header. */
function allowedHost(hostHeader: string, bind: string, port: number): boolean {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader);
  if (!m) return false;
  if (port && Number(m[2] ?? 80) !== port) return false;
  const h = m[1]!.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '127.0.0.1' || h === '::1') return true;
  if (bind === '0.0.0.0' || bind === '::') return true; // asked for remote access explicitly
  return h === bind;
}
