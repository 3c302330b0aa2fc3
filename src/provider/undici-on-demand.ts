// Stands in for the `undici` package inside the provider's bundle (install.ts redirects the
// import here). The key-service client imports undici's Agent only to build a dispatcher for
// custom TLS settings; evaluating the whole package cost ~60 ms (far more on a busy machine) in
// every provider process that configures, i.e. 2–3 times per `terraform apply`. Bundled through
// `require`, esbuild keeps undici in a lazily evaluated wrapper: it runs on the first `new
// Agent(...)`, only for providers configured with ca_file or insecure. Never imported outside
// the bundle.
import type * as Undici from 'undici';

declare const require: (id: 'undici') => typeof Undici;

/** undici's Agent, loaded when the first one is made. */
export class Agent {
  constructor(options?: Undici.Agent.Options) {
    const { Agent: Real } = require('undici');
    // A real undici Agent is what fetch's `dispatcher` option needs; the constructor returns it.
    return new Real(options) as unknown as Agent;
  }
}
