export { Scopes, type ScopesProps } from './Scopes';
