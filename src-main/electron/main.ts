// The Electron shell: a thin adapter over the core. The only code (with src-preload) that imports 'electron'.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ORIGIN, APP_SCHEME, IPC_CALL, IPC_EVENT } from '../common/ipc-channels';
import { MAX_MESSAGE_BYTES } from '../common/contract';
import { contentSecurityPolicy } from '../common/csp';
import { createCore, type Core } from '../core';
import { MEDIA_EXTENSIONS } from '../core/library';
import { buildDir, rendererDir } from '../core/paths';
import { buildMenu } from './menu';
import { utilityProcessLauncher } from './worker-launcher';

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let core: Core | null = null;
const windows = new Set<BrowserWindow>();

/** Only our own renderer, loaded from app://remaster, may call the core. */
function trustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

function tooLarge(request: unknown): boolean {
  try {
    return (JSON.stringify(request) ?? '').length > MAX_MESSAGE_BYTES;
  } catch {
    return true; // not serialisable as JSON: not something the contract can carry
  }
}

function serveRenderer(): void {
  const root = rendererDir();
  protocol.handle(APP_SCHEME, async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'remaster') return new Response('Not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    if (rel.startsWith('/media/')) {
      // Proxy frames and thumbnails from the cache only.
      const cached = core?.cacheFile(rel.slice('/media/'.length));
      return cached ? net.fetch(pathToFileURL(cached).toString()) : new Response('Not found', { status: 404 });
    }
    const file = normalize(join(root, rel));
    if (!file.startsWith(normalize(root) + sep) || !existsSync(file)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy('electron'));
    return new Response(res.body, { status: res.status, headers });
  });
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    minWidth: 1024,
    minHeight: 640,
    backgroundColor: '#141414',
    title: 'Remaster',
    show: false,
    webPreferences: {
      preload: join(buildDir(), 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('web-contents-created', (_e, contents) => lockDown(contents));

// One Remaster per user: a second launch focuses the first window instead of opening the library twice.
if (!app.requestSingleInstanceLock()) app.quit();
app.on('second-instance', () => {
  const win = [...windows][0];
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer();
  core = createCore({
    host: 'electron',
    dataDir: process.env.REMASTER_DATA || app.getPath('userData'),
    launcher: utilityProcessLauncher(),
    demo: true,
    pickFiles: async ({ title, multiple }) => {
      const win = BrowserWindow.getFocusedWindow();
      const opts: Electron.OpenDialogOptions = {
        title: title ?? 'Import footage',
        properties: multiple === false ? ['openFile'] : ['openFile', 'multiSelections'],
        filters: [{ name: 'Video', extensions: [...MEDIA_EXTENSIONS].map((e) => e.slice(1)) }, { name: 'All files', extensions: ['*'] }],
      };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? [] : r.filePaths;
    },
  });
  const log = core.log.child('electron');
  ipcMain.handle(IPC_CALL, async (event, method: unknown, request: unknown) => {
    if (!trustedSender(event.senderFrame)) {
      log.warn('refused IPC call from an untrusted frame', { url: event.senderFrame?.url });
      return { ok: false, error: { code: 'unauthorized', message: 'Untrusted sender' } };
    }
    if (tooLarge(request)) {
      log.warn(`refused oversized IPC call to ${String(method).slice(0, 100)}`);
      return { ok: false, error: { code: 'too_large', message: `Request is over the ${MAX_MESSAGE_BYTES}-byte limit` } };
    }
    return core!.dispatch(method, request);
  });
  core.events.subscribe((name, payload) => {
    for (const w of windows) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, name, payload);
  });
  Menu.setApplicationMenu(buildMenu(() => createWindow()));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !core) return;
  // Stop the worker and close the library cleanly before leaving.
  e.preventDefault();
  quitting = true;
  void core.close().finally(() => app.quit());
});
