import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ApiError, EventName, EventPayload, MethodName, Request, Response } from '../../src-main/common/contract';
import type { ConnectedApi } from './connect';

const ApiContext = createContext<ConnectedApi | null>(null);

export function ApiProvider({ api, children }: { api: ConnectedApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): ConnectedApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}

export function useEvent<E extends EventName>(event: E, listener: (p: EventPayload<E>) => void): void {
  const api = useApi();
  useEffect(() => api.on(event, listener), [api, event, listener]);
}

/** Calls a method on mount (and on `reload()`), keeping value, error and loading state. */
export function useCall<M extends MethodName>(method: M, request: Request<M>) {
  const api = useApi();
  const key = JSON.stringify(request);
  const [state, setState] = useState<{ value: Response<M> | null; error: ApiError | null; loading: boolean }>({
    value: null,
    error: null,
    loading: true,
  });
  const reload = useCallback(async () => {
    const r = await api.call(method, JSON.parse(key) as Request<M>);
    setState(r.ok ? { value: r.value, error: null, loading: false } : { value: null, error: r.error, loading: false });
  }, [api, method, key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}
