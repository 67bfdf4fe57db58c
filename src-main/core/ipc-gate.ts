// The Electron transport's checks, on plain data so they run (and are tested) without Electron: only our own
// renderer, loaded from app://remaster, may call; a request stays under the contract's size limit; the
// contract's dispatcher answers the rest (unknown_method, bad_request, or the handler's result).
import { fail, MAX_MESSAGE_BYTES, type Result } from '../common/contract';
import { APP_ORIGIN } from '../common/ipc-channels';
import type { Dispatch } from './dispatch';
import type { Logger } from './log';

/** The frame that sent an IPC call: its URL, or null when the frame is already gone. */
export interface IpcSender {
  url: string | null;
}

export type IpcGate = (sender: IpcSender, method: unknown, request: unknown) => Promise<Result<unknown>>;

export function createIpcGate(dispatch: Dispatch, log: Logger): IpcGate {
  return async (sender, method, request) => {
    if (!trustedSender(sender)) {
      log.warn('refused IPC call from an untrusted frame', { url: sender.url });
      return fail('unauthorized', 'Untrusted sender');
    }
    if (tooLarge(request)) {
      log.warn(`refused oversized IPC call to ${typeof method === 'string' ? method.slice(0, 100) : typeof method}`);
      return fail('too_large', `Request is over the ${MAX_MESSAGE_BYTES}-byte limit`);
    }
    return dispatch(method, request);
  };
}

/**
 * Whether `url` is a page of our own renderer (app://remaster/...): who may call over IPC, where a window may
 * navigate or redirect, and which requests the app: protocol answers. One check for all of them.
 */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    // Not URL.origin: Node's URL gives non-special schemes such as app: an opaque origin, the string 'null'.
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

function trustedSender(sender: IpcSender): boolean {
  return isAppUrl(sender.url);
}

function tooLarge(request: unknown): boolean {
  try {
    return Buffer.byteLength(JSON.stringify(request) ?? '', 'utf8') > MAX_MESSAGE_BYTES;
  } catch {
    return true; // not serialisable as JSON: not something the contract can carry
  }
}
