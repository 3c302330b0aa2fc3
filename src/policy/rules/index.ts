import type { BuiltinRule } from '../rule.js';
import { kw001 } from './kw001-separate-keys-per-environment.js';
import { kw002 } from './kw002-no-wildcard-scopes.js';
import { kw003 } from './kw003-expiry-for-live-keys.js';
import { kw004 } from './kw004-rotation-required.js';
import { kw005 } from './kw005-ip-allowlist-for-live-keys.js';
import { kw006 } from './kw006-owner-named.js';
import { kw007 } from './kw007-naming-pattern.js';
import { kw008 } from './kw008-scopes-in-catalog.js';
import { kw009 } from './kw009-admin-scopes-for-integrators.js';
import { kw010 } from './kw010-server-side-secret-store.js';
import { kw011 } from './kw011-rate-limit-for-live-keys.js';

/** Every built-in rule, in id order. Ids are permanent and never reused. */
export const BUILTIN_RULES: readonly BuiltinRule<object>[] = [kw001, kw002, kw003, kw004, kw005, kw006, kw007, kw008, kw009, kw010, kw011];
