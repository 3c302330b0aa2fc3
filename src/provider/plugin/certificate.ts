// The plugin's side of go-plugin's automatic mutual TLS: a fresh self-signed ECDSA P-256
// certificate for "localhost", usable for server and client auth, built with node:crypto alone
// (a general X.509 library costs ~150 ms per start; this takes a few ms).
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as asn1 from './asn1.js';

/** A certificate and its private key. */
export interface GeneratedCertificate {
  /** The certificate, DER. */
  readonly der: Buffer;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The private key, PKCS#8 PEM. */
  readonly keyPem: string;
  readonly privateKey: KeyObject;
}

/** Options of generateCertificate. */
export interface CertificateOptions {
  /** Common name and DNS subject alternative name. @default 'localhost' */
  readonly hostname?: string;
  /** Validity in days from now (backdated by a minute for clock skew). @default 3650 */
  readonly validDays?: number;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return asn1.sequence(asn1.oid(id), ...(critical ? [asn1.boolean(true)] : []), asn1.octetString(value));
}

/** Generates a self-signed ECDSA P-256 certificate (CA, server and client auth, SAN DNS hostname). */
export function generateCertificate(options: CertificateOptions = {}): GeneratedCertificate {
  const hostname = options.hostname ?? 'localhost';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = asn1.sequence(
    asn1.set(asn1.sequence(asn1.oid(OID.organization), asn1.utf8String('Keywarden'))),
    asn1.set(asn1.sequence(asn1.oid(OID.commonName), asn1.utf8String(hostname))),
  );
  const now = Date.now();
  const signatureAlgorithm = asn1.sequence(asn1.oid(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive
  const tbs = asn1.sequence(
    asn1.explicit(0, asn1.smallInteger(2)), // v3
    asn1.unsignedInteger(serial),
    signatureAlgorithm,
    name,
    asn1.sequence(asn1.time(new Date(now - 60_000)), asn1.time(new Date(now + (options.validDays ?? 3650) * 86_400_000))),
    name,
    spki,
    asn1.explicit(
      3,
      asn1.sequence(
        // CA:TRUE, as go-plugin's own certificates: each side trusts the other's certificate as its root.
        extension(OID.basicConstraints, true, asn1.sequence(asn1.boolean(true))),
        // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, 2 unused bits.
        extension(OID.keyUsage, true, asn1.bitString(Buffer.from([0x84]), 2)),
        extension(OID.extKeyUsage, false, asn1.sequence(asn1.oid(OID.serverAuth), asn1.oid(OID.clientAuth))),
        extension(OID.subjectAltName, false, asn1.sequence(asn1.implicitPrimitive(2, Buffer.from(hostname)))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = asn1.sequence(tbs, signatureAlgorithm, asn1.bitString(signature));
  return {
    der,
    certPem: toPem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    privateKey,
  };
}

/** PEM armour for DER bytes. */
export function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
