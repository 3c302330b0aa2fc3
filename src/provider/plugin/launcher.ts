// The provider executable's first code, bundled by install.ts into a small CommonJS file that
// Node starts without its ES module loader: when Terraform started the process, it runs the
// go-plugin handshake at once (handshake.ts) and only then loads the provider's bundle, whose
// serve() takes the finished handshake over. Any other start (by hand, --reattach, an
// unsupported protocol) goes straight to the bundle, which explains or serves as usual.
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { handOver, handshake, startedByTerraform } from './handshake.js';

/** File name of the provider's ES module bundle beside this launcher; set by install.ts at bundle time. */
declare const KW_PROVIDER_BUNDLE: string;

const load = () =>
  import(pathToFileURL(join(dirname(process.argv[1] ?? '.'), KW_PROVIDER_BUNDLE)).href).catch((error: unknown) => {
    process.stderr.write(`terraform-provider: cannot load ${KW_PROVIDER_BUNDLE}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });

if (startedByTerraform(process.env) && !process.argv.slice(2).includes('--reattach')) {
  const done = handshake(process.env);
  handOver(done);
  // After the line: starting the ES module loader would hold up the listen callback. serve()
  // reports a failed handshake.
  void done.then(load, load);
} else {
  void load();
}
