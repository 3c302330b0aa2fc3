// Test support of the reconcile tests: the real terraform binary, one provider mirror shared by
// every test file and run (only `terraform init` reads it; the provider itself is served from
// the test process), and a reader of saved plan files (zip archives) to search them for secrets.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export { TERRAFORM, terraformMissing } from '../provider/keywarden/keywarden-install.js';

/** Shared provider mirror: installed (atomically) by the first run that needs it. */
export const SHARED_MIRROR = join(tmpdir(), 'kw-reconcile-test-mirror');

/** The provider's TypeScript entry (bundled into the mirror by esbuild). */
export const PROVIDER_ENTRY = fileURLToPath(new URL('../../src/provider/main.ts', import.meta.url));

/** Every entry of a zip archive (a saved Terraform plan), decompressed, as text. */
export function zipText(file: string): string {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('latin1'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return texts.join('\n');
}

/** A writable stream that keeps what was written (a command's stdout or stderr). */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}
