// The renderer's one API module: the same typed contract over the Electron preload bridge or, in a
// browser, over the headless host's WebSocket. Features use `useApi()` and never see the transport.
export { connectApi, type ConnectedApi } from './connect';
export { ApiProvider, useApi, useEvent, useCall } from './react';
