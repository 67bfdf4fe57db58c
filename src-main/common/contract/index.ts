// The one contract between the renderer and the main process (and the headless host).
// Every method's request and response, and every event, as zod schemas; types are inferred from them.
// Both transports (Electron IPC, WebSocket) validate against these at the boundary.
import { z } from 'zod';
import { appEvents, appMethods } from './app';
import { deliveryEvents, deliveryMethods } from './delivery';
import { libraryEvents, libraryMethods } from './library';
import { previewEvents, previewMethods } from './preview';

export * from './result';
export * from './app';
export * from './library';
export * from './delivery';
export * from './render';
export * from './preview';

export const methods = {
  ...appMethods,
  ...libraryMethods,
  ...deliveryMethods,
  ...previewMethods,
} as const;

export const events = {
  ...appEvents,
  ...libraryEvents,
  ...deliveryEvents,
  ...previewEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
export type Request<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequest<M extends MethodName> = z.output<Methods[M]['request']>;
export type Response<M extends MethodName> = z.output<Methods[M]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Largest request a transport accepts, in bytes of JSON. Frames travel another way. */
export const MAX_MESSAGE_BYTES = 1 << 20;

/** What a renderer sees: one typed call and typed events, whatever the transport. */
export interface RemasterApi {
  call<M extends MethodName>(method: M, request: Request<M>): Promise<import('./result').Result<Response<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// WebSocket envelopes (the Electron transport uses ipcRenderer.invoke with the same method names).
export const WireRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  request: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequest>;
export type WireMessage =
  | { kind: 'response'; id: number; result: import('./result').Result<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };
