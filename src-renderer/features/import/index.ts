export { ImportDialog } from './ImportDialog';
export { RelinkDialog } from './RelinkDialog';
