export { LibraryScreen } from './LibraryScreen';
export { ConfirmDialog } from './ConfirmDialog';
