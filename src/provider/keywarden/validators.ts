// Attribute validators of the keywarden resources, mirroring what the key service accepts so
// mistakes are reported at plan time with the attribute's configuration line.
import { isIP } from 'node:net';
import { matches, type AttributePath, type Diagnostics, type TfValue, type Validator } from '../plugin/index.js';
import { DURATION_FORM, parseDurationSeconds } from './durations.js';

/** Key names, environments, integrations, services: as the key service's NAME pattern. */
export const label = matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-", starting with a letter or digit');

/** The key service's scope pattern; no wildcards. */
const SCOPE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

export const scopeSet: Validator = (value, path, diagnostics) => {
  for (const scope of Array.isArray(value) ? value : []) {
    if (typeof scope === 'string' && !SCOPE.test(scope)) {
      diagnostics.error('Invalid scope', `"${scope}" is not a scope: expected letters, digits and "._:/-", such as "invoices:read"; wildcards are not allowed.`, path);
    }
  }
};

export const cidrSet: Validator = (value, path, diagnostics) => {
  for (const cidr of Array.isArray(value) ? value : []) {
    if (typeof cidr === 'string' && !isCidr(cidr)) {
      diagnostics.error('Invalid CIDR', `"${cidr}" is not an IPv4/IPv6 address or CIDR such as "203.0.113.0/24".`, path);
    }
  }
};

function isCidr(text: string): boolean {
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export const limitKeys: Validator = (value, path, diagnostics) => {
  for (const key of typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : []) {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(key)) {
      diagnostics.error('Invalid limit name', `"${key}" must be lower-case letters, digits and "_", starting with a letter.`, [...path, { key }]);
    }
  }
};

export const duration: Validator = (value, path, diagnostics) => {
  if (typeof value === 'string' && parseDurationSeconds(value) === undefined) {
    diagnostics.error(`Invalid ${String(path[path.length - 1])}`, `Expected ${DURATION_FORM}, got "${value}".`, path);
  }
};

export const timestamp: Validator = (value, path, diagnostics) => {
  if (typeof value === 'string' && (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value)))) {
    diagnostics.error(`Invalid ${String(path[path.length - 1])}`, `Expected an RFC 3339 time such as "2027-01-31T00:00:00Z", got "${value}".`, path);
  }
};

export const positiveInteger: Validator = (value: TfValue, path: AttributePath, diagnostics: Diagnostics) => {
  if (typeof value === 'number' && !(Number.isInteger(value) && value >= 1 && value <= 1_000_000_000)) {
    diagnostics.error(`Invalid ${String(path[path.length - 1])}`, `Expected a whole number from 1 to 1000000000, got ${value}.`, path);
  }
};
