export * from './media-types.js';
export * from './manifest.js';
export * from './platform.js';
export * from './digest.js';
