// Handlers return a Result instead of throwing: thrown errors lose their shape across IPC and WebSocket.
import { z } from 'zod';

export const ErrorCode = z.enum([
  'bad_request', // payload failed the contract's schema
  'unknown_method',
  'too_large', // message over the transport's size limit
  'unauthorized',
  'not_found',
  'conflict',
  'bad_input', // a file or value we cannot use (corrupt, unsupported, out of range)
  'io', // disk full, permission denied, ...
  'cancelled',
  'worker_failed', // the inference worker died or refused
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  code: ErrorCode,
  message: z.string(),
  detail: z.unknown().optional(),
});
export type ApiError = z.infer<typeof ApiError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, detail?: unknown): Result<never> => ({
  ok: false,
  error: detail === undefined ? { code, message } : { code, message, detail },
});

/** An error a service throws on purpose; the dispatcher turns it into a typed Result. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
