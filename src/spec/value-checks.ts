// Checks the schema cannot express: CIDR networks, cron schedules, and rotation's
// every-or-schedule. They run on the plain data, wherever the field appears (spec level or
// an environment override), and report at the node that holds the value.
import type { Document } from 'yaml';
import type { Finding } from '../policy/finding.js';
import { cidrProblem } from './cidr.js';
import { cronProblem } from './cron.js';
import { loadError } from './errors.js';
import { memoise } from './memoise.js';
import { formatPath } from './field-path.js';
import type { PathSegment } from './model.js';
import type { SourceLocator } from './source-locator.js';

/** Specs repeat the same schedules across thousands of documents: check each once (cidrProblem is memoised itself). */
const cronProblemOnce = memoise(cronProblem);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Secrets Manager settings the schema cannot express: the recovery window's gap (1-6 days) and the policy's JSON. */
function checkSecretsManager(settings: unknown, path: PathSegment[], doc: Document, locator: SourceLocator, out: Finding[]): void {
  if (!isRecord(settings)) return;
  const days = settings['recoveryWindowDays'];
  if (typeof days === 'number' && days > 0 && days < 7) {
    out.push(loadError('invalidValue', locator.locate(doc, [...path, 'recoveryWindowDays']), `${formatPath([...path, 'recoveryWindowDays'])} is ${days}; Secrets Manager accepts 0 (delete at once) or 7 to 30 days`));
  }
  const policy = settings['policy'];
  if (typeof policy === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch (err) {
      parsed = err;
    }
    if (!isRecord(parsed) || parsed instanceof Error) {
      const why = parsed instanceof Error ? parsed.message : 'it is not a JSON object';
      out.push(loadError('invalidValue', locator.locate(doc, [...path, 'policy']), `${formatPath([...path, 'policy'])} must be an IAM policy document as JSON text: ${why}`));
    }
  }
}

/** Value findings for the key fields of one level (`spec` or one environment override). */
function checkKeyFields(fields: Record<string, unknown>, base: PathSegment[], doc: Document, locator: SourceLocator, out: Finding[]): void {
  const cidrs = fields['allowedCidrs'];
  if (Array.isArray(cidrs)) {
    cidrs.forEach((cidr, i) => {
      if (typeof cidr !== 'string') return; // a schema finding already
      const problem = cidrProblem(cidr);
      if (problem) out.push(loadError('badCidr', locator.locate(doc, [...base, 'allowedCidrs', i]), `${formatPath([...base, 'allowedCidrs', i])}: ${problem}`));
    });
  }
  const delivery = fields['delivery'];
  if (Array.isArray(delivery)) delivery.forEach((entry, i) => checkSecretsManager(isRecord(entry) ? entry['awsSecretsManager'] : undefined, [...base, 'delivery', i, 'awsSecretsManager'], doc, locator, out));
  const rotation = fields['rotation'];
  if (isRecord(rotation)) {
    const path = [...base, 'rotation'];
    const hasEvery = rotation['every'] !== undefined;
    const schedule = rotation['schedule'];
    if (hasEvery && schedule !== undefined) {
      out.push(loadError('badRotation', locator.locate(doc, [...path, 'schedule'], 'key'), `${formatPath(path)} gives both "every" and "schedule"; keep one`));
    } else if (!hasEvery && schedule === undefined) {
      out.push(loadError('badRotation', locator.locate(doc, path), `${formatPath(path)} needs "every" (e.g. 30d) or "schedule" (e.g. "0 3 * * 0")`));
    }
    if (typeof schedule === 'string') {
      const problem = cronProblemOnce(schedule);
      if (problem) out.push(loadError('badCron', locator.locate(doc, [...path, 'schedule']), `${formatPath([...path, 'schedule'])}: ${problem}`));
    }
  }
}

/** Value findings for an ApiKey document's data. */
export function apiKeyValueFindings(data: unknown, doc: Document, locator: SourceLocator): Finding[] {
  const out: Finding[] = [];
  const spec = isRecord(data) ? data['spec'] : undefined;
  if (!isRecord(spec)) return out;
  checkKeyFields(spec, ['spec'], doc, locator, out);
  const environments = spec['environments'];
  if (isRecord(environments)) {
    for (const [env, override] of Object.entries(environments)) {
      if (isRecord(override)) checkKeyFields(override, ['spec', 'environments', env], doc, locator, out);
    }
  }
  return out;
}
