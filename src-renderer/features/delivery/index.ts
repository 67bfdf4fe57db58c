export { ExportDialog } from './ExportDialog';
export { RenderMenu } from './RenderMenu';
export { RenderQueue } from './RenderQueue';
export { RenderStateBar, renderStateLabel } from './RenderStateBar';
export { useRenderStatus } from './useRenderStatus';
export { formatNits } from './format';
