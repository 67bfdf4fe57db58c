export { Scopes, type ScopesProps } from './Scopes';
export { ScopeFeed } from './feed';
