// Public API of the colour science core. Pure TypeScript (only zod): renderer, Node core, worker and
// Web Workers all import from here.
export * from './transfer';
export * from './primaries';
export * from './ycbcr';
export * from './resample';
export * from './sdr-to-hdr';
export * from './grade';
export * from './grade-frame';
export * from './grade-glsl';
export * from './frame';
export * from './light-level';
export * from './letterbox';
export * from './hdr-verdict';
export * from './st2086';
export * from './scopes';
export * from './cie-locus';
export * from './patterns';
export * from './transfer-fast';
export * from './source-colour';
