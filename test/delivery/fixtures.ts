// Shared by the delivery tests: three versions of one key and a helper that expects a DeliveryError.
import { expect } from '@jest/globals';
import { DeliveryError } from '../../src/delivery/errors.js';

export const V1 = { keyId: 'key_1', versionId: 'ver_1', secret: 'kw_test_FirstSecretValue0001' };
export const V2 = { keyId: 'key_1', versionId: 'ver_2', secret: 'kw_test_SecondSecretValue0002' };
export const V3 = { keyId: 'key_1', versionId: 'ver_3', secret: 'kw_test_ThirdSecretValue00003' };

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Awaits a call that must fail with a DeliveryError and returns the error. */
export async function deliveryFailure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  }
  throw new Error('expected the call to fail');
}
