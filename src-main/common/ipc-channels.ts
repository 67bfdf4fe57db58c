// Electron IPC channel names, shared by the preload and the main-process adapter.
export const IPC_CALL = 'remaster:call';
export const IPC_EVENT = 'remaster:event';
/** The custom protocol the renderer is served from (instead of file://). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://remaster';
