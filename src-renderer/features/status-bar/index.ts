export { StatusBar } from './StatusBar';
export { NoticesProvider, useNotify, useReportFailure, type Notice } from './Notices';
