export { normalize } from './normalize.js';
export { MAX_E164_DIGITS } from './parse.js';
export { normalizePattern } from './pattern.js';
export { parseRegion, type RegionResult } from './region.js';
export { extensionOf, HIDDEN_WORDS, MAX_RAW_LENGTH } from './dial-string.js';
export type { Normalized, Pattern, PatternResult } from './types.js';
