import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { generateCertificate } from '../../../src/provider/plugin/certificate.js';

describe('self-signed plugin certificate', () => {
  const generated = generateCertificate();
  const certificate = new X509Certificate(generated.der);

  it('is a valid X.509 certificate signed by its own key', () => {
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(generated.privateKey)).toBe(true);
    expect(new X509Certificate(generated.certPem).fingerprint256).toBe(certificate.fingerprint256);
  });

  it('names localhost as subject and DNS alternative name, with an ECDSA P-256 key', () => {
    expect(certificate.subject).toContain('CN=localhost');
    expect(certificate.subjectAltName).toBe('DNS:localhost');
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('is usable for server and client authentication and as its own root', () => {
    expect(certificate.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(certificate.ca).toBe(true);
  });

  it('is valid now, and a new one is made every time', () => {
    const now = Date.now();
    expect(new Date(certificate.validFrom).getTime()).toBeLessThanOrEqual(now);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(now);
    expect(new X509Certificate(generateCertificate().der).serialNumber).not.toBe(certificate.serialNumber);
  });
});
