// Hostile and malformed requests to the admission webhook: each gets a coded JSON error with the
// right status (never a 500, never a crash), and the server keeps answering real reviews.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { connect } from 'node:tls';
import { asResource, NOW, post, read, review, startWebhook, type RunningWebhook } from './webhook-harness.js';

const project = read('examples/keywarden.yaml');
const compliant = asResource('examples/keys/order-bot-billing.yaml');

describe('the admission webhook facing malformed and hostile requests', () => {
  let webhook: RunningWebhook;

  beforeAll(async () => {
    webhook = await startWebhook({ mode: 'Fail', project: () => project, now: () => NOW, maxBodyBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await webhook.stop();
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const reply = await post(webhook, '{"apiVersion": "admission.k8s.io/v1", ');
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'invalid_json' });
  });

  it('answers 400 invalid_review naming every problem of a JSON body that is not an AdmissionReview request', async () => {
    const reply = await post(webhook, { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: '', operation: 'PATCH', kind: 'ApiKey' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error!.code).toBe('invalid_review');
    for (const part of ['apiVersion must be admission.k8s.io/v1', 'request.uid', 'request.kind', 'request.operation']) expect(reply.body.error!.message).toContain(part);
  });

  it.each([
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'request must be an object'],
    ['a CREATE without an object', review(undefined), 'request.object must be an object for CREATE'],
    ['an UPDATE without the old object', review(compliant, { operation: 'UPDATE' }), 'request.oldObject must be an object for UPDATE'],
    ['a uid too long to echo', review(compliant, { uid: 'u'.repeat(129) }), 'request.uid'],
    ['an array', [review(compliant)], 'the body must be a JSON object'],
  ])('answers 400 invalid_review for %s', async (_name, body, problem) => {
    const reply = await post(webhook, body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'invalid_review' });
    expect(reply.body.error!.message).toContain(problem);
  });

  it('answers 413 for a body over the limit, announced by Content-Length or streamed without one', async () => {
    const big = review({ ...compliant, metadata: { ...(compliant.metadata as object), annotations: { padding: 'x'.repeat(70 * 1024) } } });
    const declared = await post(webhook, big);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ code: 'payload_too_large' });
    const chunked = await post(webhook, big, { headers: { 'transfer-encoding': 'chunked' } });
    expect(chunked.status).toBe(413);
  });

  it('answers 415 for another content type, 405 for another method, 404 for another path', async () => {
    expect((await post(webhook, review(compliant), { headers: { 'content-type': 'text/plain' } })).body.error!.code).toBe('unsupported_media_type');
    expect((await post(webhook, '', { method: 'GET' })).status).toBe(405);
    const notFound = await post(webhook, review(compliant), { path: '/mutate' });
    expect(notFound.status).toBe(404);
    expect(notFound.body.error!.code).toBe('route_not_found');
  });

  it('never answers 500 to arbitrary JSON, nor to AdmissionReviews whose object is arbitrary', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.jsonValue().map((object) => review({ metadata: { name: 'x' }, spec: object }))), async (body) => {
        const reply = await post(webhook, body);
        expect([200, 400]).toContain(reply.status);
        if (reply.status === 200) expect((reply.body.response as { uid: string }).uid).toBe('705ab4f5-6393-11e8-b7cc-42010a800002');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses unreviewed, without blocking, a document too large or too deep to review', async () => {
    const environments = Object.fromEntries(Array.from({ length: 5100 }, (_, i) => [`e${i}`, {}]));
    const wide = await post(webhook, review({ ...compliant, spec: { ...(compliant.spec as object), environments } }));
    expect(wide.body.response).toMatchObject({ allowed: false, status: { code: 403, message: 'ApiKey order-bot-billing is too large to review: it holds more than 5000 values. Split it, or check it with keywarden check.' } });
    // Built as text: 5,000 levels of nesting (JSON.stringify and most reviewers would recurse).
    const deepSpec = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`;
    const text = JSON.stringify(review({ ...compliant, spec: 'DEEP' })).replace('"DEEP"', deepSpec);
    const deep = await post(webhook, text);
    expect(deep.status).toBe(200);
    expect((deep.body.response as { status: { message: string } }).status.message).toContain('it nests deeper than 32 levels');
  });

  it('cuts the refusal message and the warnings of a document with very many findings to a readable size', async () => {
    const environments = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`env-${i}`, { scopes: ['invoices:*'] }]));
    const many = review({ ...compliant, spec: { ...(compliant.spec as object), environments } });
    const refused = (await post(webhook, many)).body.response as { allowed: boolean; warnings?: string[]; status: { message: string } };
    expect(refused.allowed).toBe(false);
    expect(refused.status.message.length).toBeLessThanOrEqual(4096);
    expect(refused.status.message).toMatch(/… \(cut; run keywarden check for all\)$/);
    expect(refused.warnings?.length ?? 0).toBeLessThanOrEqual(50);
  });

  it('refuses a client that does not trust its certificate', async () => {
    const other = (await import('./webhook-harness.js')).certificateDir();
    try {
      await expect(post(webhook, review(compliant), { ca: other.certPem })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      other.remove();
    }
  });

  it('does not speak TLS below 1.2', async () => {
    const port = Number(new URL(webhook.url).port);
    await expect(
      new Promise<void>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: webhook.ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => {
          socket.end();
          resolve();
        });
        socket.on('error', reject);
      }),
    ).rejects.toThrow();
  });

  it('answers 408 and closes the connection of a client that trickles its body past the deadline', async () => {
    const slow = await startWebhook({ mode: 'Fail', project: () => project, now: () => NOW, requestTimeoutMs: 1000 });
    try {
      const port = Number(new URL(slow.url).port);
      const answer = await new Promise<string>((resolve, reject) => {
        let received = '';
        let timer: NodeJS.Timeout | undefined;
        const giveUp = setTimeout(() => reject(new Error('the webhook kept a trickling connection open for 20 s')), 20_000);
        const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: slow.ca }, () => {
          socket.write('POST /validate-apikey HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{');
          timer = setInterval(() => socket.writable && socket.write(' '), 100);
        });
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          clearTimeout(giveUp);
          resolve(received);
        });
      });
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    } finally {
      await slow.stop();
    }
  }, 30_000);

  it('still admits a compliant ApiKey after all of the above', async () => {
    const reply = await post(webhook, review(compliant));
    expect(reply.body.response).toMatchObject({ allowed: true });
  });
});
