export { JobsBar } from './JobsBar';
export { formatEta } from './format';
