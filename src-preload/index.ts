// The renderer's only door into the main process: exactly the contract's methods and events,
// never ipcRenderer itself. Runs sandboxed with contextIsolation.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { eventNames, methodNames, type EventName, type MethodName } from '../src-main/common/contract';
import { IPC_CALL, IPC_EVENT } from '../src-main/common/ipc-channels';

const invoke = Object.fromEntries(
  methodNames.map((m) => [m, (request: unknown) => ipcRenderer.invoke(IPC_CALL, m, request)]),
) as Record<MethodName, (request: unknown) => Promise<unknown>>;

contextBridge.exposeInMainWorld('remaster', {
  transport: 'electron',
  invoke,
  on(event: EventName, listener: (payload: unknown) => void): () => void {
    if (!eventNames.includes(event)) throw new Error(`Unknown event ${String(event)}`);
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, wrapped);
    return () => ipcRenderer.removeListener(IPC_EVENT, wrapped);
  },
});
