#!/usr/bin/env node
// The `keywarden` command. Runs the compiled CLI (`npm run build` writes dist/).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`keywarden: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
