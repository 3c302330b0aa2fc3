import { describe, expect, it } from '@jest/globals';
import { ApiError, ERROR_CATALOG, classifyError, errorBody } from '../../src/keyservice/errors.js';
import { VERIFY_CODES } from '../../src/keyservice/key-check.js';

describe('the error catalog', () => {
  it('gives every code an HTTP error status and an actionable message', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.message.length).toBeGreaterThan(20);
    }
  });

  it('keeps the codes clients rely on', () => {
    expect(Object.keys(ERROR_CATALOG)).toEqual(
      expect.arrayContaining([
        'unauthorized', 'forbidden', 'not_found', 'rate_limit_exceeded', 'validation_failed', 'precondition_failed',
        'conflict', 'payload_too_large', 'unsupported_media_type', 'service_unavailable', 'invalid_json', 'invalid_value',
      ]),
    );
    expect(VERIFY_CODES).toEqual([
      'VALID', 'MALFORMED', 'NOT_FOUND', 'DISABLED', 'EXPIRED', 'REVOKED', 'IP_NOT_ALLOWED', 'INSUFFICIENT_SCOPE', 'RATE_LIMITED',
    ]);
  });

  it("maps fastify's own errors onto the catalog, never to a 500", () => {
    expect(classifyError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).toBe('unsupported_media_type');
    expect(classifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).toBe('payload_too_large');
    expect(classifyError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })).toBe('invalid_json');
    expect(classifyError({ name: 'SyntaxError', statusCode: 400 })).toBe('invalid_json');
    expect(classifyError({ statusCode: 431 })).toBe('validation_failed');
    expect(classifyError(new Error('boom'))).toBe('internal_error');
    expect(classifyError(new ApiError('conflict'))).toBe('conflict');
  });

  it('builds the documented body with a docs link', () => {
    expect(errorBody('not_found', 'No such key.', 'req_1')).toEqual({
      error: { code: 'not_found', message: 'No such key.', requestId: 'req_1', docs: expect.stringContaining('#error-not_found') },
    });
  });
});
