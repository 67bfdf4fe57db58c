export { JobsBar } from './JobsBar';
export { JobRow } from './JobRow';
export { useJobs, isActive } from './useJobs';
export { formatEta } from '../../../src-main/common/eta';
