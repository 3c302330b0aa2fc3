import { describe, expect, it } from '@jest/globals';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { KeysStack, type StackBackend } from '../../src/stack/index.js';
import { mergeJson, stackJson } from '../../src/stack/stack-json.js';
import { load } from './fixtures.js';

/** cdktf's own JSON of the stack (TerraformStack.toTerraform, two resolve passes). */
const cdktfJson = (stack: TerraformStack): unknown => TerraformStack.prototype.toTerraform.call(stack);

const S3: StackBackend = { kind: 's3', bucket: 'state', region: 'eu-west-1' };

describe('a KeysStack\'s Terraform JSON in one resolve pass', () => {
  it.each([
    ['one environment with Secrets Manager secrets', ['production'], undefined],
    ['one test-mode environment', ['development'], undefined],
    ['every environment, with aliased AWS providers', undefined, undefined],
    ['an S3 backend with its lock-file override', ['staging'], S3],
  ] as const)('is exactly what cdktf writes: %s', (_name, environments, backend) => {
    const stack = new KeysStack(Testing.app(), 'stack', { specs: load(), ...(environments ? { environments } : {}), ...(backend ? { backend } : {}) });
    const ours = stackJson(stack);
    expect(ours).toBeDefined();
    expect(JSON.stringify(ours)).toBe(JSON.stringify(cdktfJson(stack)));
    expect(JSON.stringify(stack.toTerraform())).toBe(JSON.stringify(ours)); // KeysStack.toTerraform takes this path
  });

  it('leaves a stack with stack-level overrides or outputs to cdktf', () => {
    const withOverride = new KeysStack(Testing.app(), 'a', { specs: load(), environments: ['development'] });
    withOverride.addOverride('terraform.required_version', '>= 1.11');
    expect(stackJson(withOverride)).toBeUndefined();
    expect(withOverride.toTerraform()).toMatchObject({ terraform: { required_version: '>= 1.11' } });
    const withOutput = new KeysStack(Testing.app(), 'b', { specs: load(), environments: ['development'] });
    new TerraformOutput(withOutput, 'count', { value: 1 });
    expect(stackJson(withOutput)).toBeUndefined();
  });

  it('merges like cdktf: objects key by key, lists appended, undefined deletes', () => {
    const target = { a: { b: 1, c: [1] }, d: 'x', gone: true };
    expect(mergeJson(target, { a: { c: [2], e: 'y' }, d: 'z', gone: undefined })).toEqual({ a: { b: 1, c: [1, 2], e: 'y' }, d: 'z' });
  });
});
