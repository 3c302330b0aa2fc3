// Sends fuzzed requests over a real connection (undici), byte for byte as given: no URL
// normalisation, any header value, any body with any content type. (fastify's app.inject
// cannot load under Jest's ESM mode here, and a real socket is closer to an attacker anyway.)
import { Pool } from 'undici';

export interface RawRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export class RawHttp {
  private readonly pool: Pool;

  constructor(origin: string) {
    this.pool = new Pool(origin, { connections: 4 });
  }

  async send(req: RawRequest): Promise<RawResponse> {
    const res = await this.pool.request({
      method: req.method as 'GET',
      path: req.path,
      headers: { ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
