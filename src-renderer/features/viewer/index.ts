export { Viewer, type ViewerProps, type GradedFrame } from './Viewer';
