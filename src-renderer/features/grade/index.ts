export { GradePanel, type GradePanelProps } from './GradePanel';
