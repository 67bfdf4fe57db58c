// Checks every call at the process boundary against the contract, whichever transport it came by.
import {
  fail,
  isMethodName,
  methods,
  ServiceError,
  type MethodName,
  type ParsedRequest,
  type Response,
  type Result,
} from '../common/contract';
import type { Logger } from './log';

export type Handler<M extends MethodName> = (request: ParsedRequest<M>) => Promise<Response<M>> | Response<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

export type Dispatch = (method: unknown, request: unknown) => Promise<Result<unknown>>;

export function createDispatch(handlers: Handlers, log: Logger): Dispatch {
  return async (method, request) => {
    if (!isMethodName(method)) {
      // Not String(method): an object without toString (Electron's IPC can carry one) would throw here.
      const name = typeof method === 'string' ? method.slice(0, 100) : `(${typeof method})`;
      log.warn('rejected call to unknown method', { method: name });
      return fail('unknown_method', `Unknown method: ${name}`);
    }
    const spec = methods[method];
    const parsed = spec.request.safeParse(request ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      log.warn(`rejected malformed ${method} request`, issues);
      return fail(
        'bad_request',
        `Invalid request for ${method}: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`,
        issues,
      );
    }
    try {
      const handler = handlers[method] as (r: unknown) => Promise<unknown> | unknown;
      const value = await handler(parsed.data);
      const checked = spec.response.safeParse(value);
      if (!checked.success) {
        // Our bug, not the caller's: log loudly, answer with a typed error rather than a malformed value.
        log.error(`${method} produced a response that breaks the contract`, checked.error.issues);
        return fail('internal', `Internal error in ${method}: response failed validation`);
      }
      return { ok: true, value: checked.data };
    } catch (e) {
      if (e instanceof ServiceError) {
        log.info(`${method} failed: ${e.message}`, { code: e.code });
        return fail(e.code, e.message, e.detail);
      }
      log.error(`${method} threw`, e instanceof Error ? { message: e.message, stack: e.stack } : e);
      return fail('internal', `Internal error in ${method}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}
