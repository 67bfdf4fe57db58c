// What src-preload exposes on window.remaster under Electron (and nothing more).
import type { EventName, MethodName, Result } from '../../src-main/common/contract';

export interface PreloadBridge {
  transport: 'electron';
  invoke: Record<MethodName, (request: unknown) => Promise<Result<unknown>>>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    remaster?: PreloadBridge;
  }
}
