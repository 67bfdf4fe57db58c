// The Electron shell: a thin adapter over the core. The only code (with src-preload) that imports 'electron'.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_ORIGIN, APP_SCHEME, IPC_CALL, IPC_EVENT } from '../common/ipc-channels';
import { createCore, type Core } from '../core';
import { createIpcGate, isAppUrl } from '../core/ipc-gate';
import { MEDIA_EXTENSIONS } from '../core/library';
import { buildDir, rendererDir } from '../core/paths';
import { securityHeaders, servedFile } from '../core/served-files';
import { buildMenu } from './menu';
import { utilityProcessLauncher } from './worker-launcher';

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let core: Core | null = null;
const windows = new Set<BrowserWindow>();

function serveRenderer(): void {
  const sources = {
    host: 'electron' as const,
    rendererDir: rendererDir(),
    cacheFile: (p: string) => core?.cacheFile(p) ?? null,
  };
  protocol.handle(APP_SCHEME, async (req) => {
    if (!isAppUrl(req.url)) return new Response('Not found', { status: 404, headers: securityHeaders('electron') });
    const served = servedFile(new URL(req.url).pathname, sources);
    if (served.status !== 200) return new Response(served.body, { status: served.status, headers: served.headers });
    const res = await net.fetch(pathToFileURL(served.file).toString());
    return new Response(res.body, { status: res.status, headers: served.headers });
  });
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
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
        filters: [
          { name: 'Video', extensions: [...MEDIA_EXTENSIONS].map((e) => e.slice(1)) },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? [] : r.filePaths;
    },
  });
  const gate = createIpcGate(core.dispatch, core.log.child('electron'));
  ipcMain.handle(IPC_CALL, (event, method: unknown, request: unknown) =>
    gate({ url: event.senderFrame?.url ?? null }, method, request),
  );
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
