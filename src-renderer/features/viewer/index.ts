export { Viewer, SCOPE_FRAME_PIXELS, type ViewerProps, type GradedFrame, type GradedFrameSink } from './Viewer';
export { LiveGrade } from './live-grade';
export type { RenderedShot } from './frames';
