import { DURATION_PATTERN } from '../../spec/index.js';
import type { ParamSchema } from '../rule.js';

/** A duration parameter, written like the spec's durations: `30d`, `24h`, `90m`. */
export const DURATION_PARAM: ParamSchema = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'A duration: an integer and a unit (s, m, h, d, w), e.g. 30d.',
};

/** A list of scope patterns; `*` matches any run of characters. */
export const SCOPE_PATTERNS_PARAM: ParamSchema = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
};
