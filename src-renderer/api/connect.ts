import {
  events,
  type EventName,
  type EventPayload,
  type MethodName,
  type RemasterApi,
  type Request,
  type Response,
  type Result,
} from '../../src-main/common/contract';
import './bridge';

export interface ConnectedApi extends RemasterApi {
  transport: 'electron' | 'websocket';
  /** URL for a cache file (proxy frame, thumbnail) the core returned by path. */
  mediaUrl(path: string): string;
  /** Called once if the connection to the host is lost (browser mode: the host stopped or restarted). */
  onDisconnect(cb: () => void): () => void;
}

export async function connectApi(): Promise<ConnectedApi> {
  if (window.remaster) return electronApi();
  return websocketApi();
}

function electronApi(): ConnectedApi {
  const bridge = window.remaster!;
  return {
    transport: 'electron',
    mediaUrl: (path) => `app://remaster/media/${encodeURIComponent(path)}`,
    onDisconnect: () => () => undefined, // the main process outlives its windows
    call: async <M extends MethodName>(method: M, request: Request<M>) => {
      const fn = bridge.invoke[method];
      if (!fn)
        return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${method}` } } as Result<
          Response<M>
        >;
      return (await fn(request)) as Result<Response<M>>;
    },
    on: <E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) =>
      bridge.on(event, (p) => {
        // Validate on arrival too: a renderer must not trust anything that crossed a process boundary.
        const parsed = events[event].safeParse(p);
        if (parsed.success) listener(parsed.data as EventPayload<E>);
      }),
  };
}

function websocketApi(): Promise<ConnectedApi> {
  const token = new URLSearchParams(location.search).get('token');
  if (!token)
    return Promise.reject(
      new Error(
        'This address has no access token. Open the full address Remaster printed when it started, token included.',
      ),
    );
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  let nextId = 1;

  ws.addEventListener('message', (ev) => {
    let msg: { kind?: string; id?: number; result?: Result<unknown>; event?: EventName; payload?: unknown };
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (msg.kind === 'response' && typeof msg.id === 'number') {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      p?.(msg.result as Result<unknown>);
    } else if (msg.kind === 'event' && msg.event && msg.event in events) {
      const parsed = events[msg.event].safeParse(msg.payload);
      if (parsed.success) for (const l of listeners.get(msg.event) ?? []) l(parsed.data);
    }
  });
  const disconnectListeners = new Set<() => void>();
  ws.addEventListener('close', () => {
    for (const p of pending.values())
      p({ ok: false, error: { code: 'internal', message: 'Connection to the Remaster host was lost' } });
    pending.clear();
    for (const l of disconnectListeners) l();
  });

  const api: ConnectedApi = {
    transport: 'websocket',
    mediaUrl: (path) => `/media/${encodeURIComponent(path)}?token=${encodeURIComponent(token)}`,
    onDisconnect: (cb) => {
      disconnectListeners.add(cb);
      return () => disconnectListeners.delete(cb);
    },
    call: <M extends MethodName>(method: M, request: Request<M>) =>
      new Promise<Result<Response<M>>>((resolve) => {
        if (ws.readyState !== WebSocket.OPEN) {
          resolve({ ok: false, error: { code: 'internal', message: 'Not connected to the Remaster host' } });
          return;
        }
        const id = nextId++;
        pending.set(id, resolve as (r: Result<unknown>) => void);
        ws.send(JSON.stringify({ id, method, request }));
      }),
    on: <E extends EventName>(event: E, listener: (p: EventPayload<E>) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(api), { once: true });
    ws.addEventListener(
      'error',
      () =>
        reject(
          new Error(
            'Could not connect to the Remaster host (is it still running, and is this the address it printed at its last start?)',
          ),
        ),
      { once: true },
    );
  });
}
