// Writes an app's KeysStacks as `app.synth()` does, less its preparing pass. cdktf resolves
// every element once in advance only so that cross-stack references can add outputs and
// remote-state data sources before the real pass; KeysStacks never reference each other, and
// the extra pass costs about a third of the synthesis of thousands of keys (bench/stack.ts).
// Public cdktf API only: each stack's synthesizer, the app's validations and its manifest.
import { StackError } from './errors.js';
import type { App } from 'cdktf';
import type { KeysStack } from './keys-stack.js';

/** Synthesizes `stacks` of `app` into its outdir (cdk.tf.json per stack, manifest.json). */
export function synthApp(app: App, stacks: readonly KeysStack[]): void {
  const session = { outdir: app.outdir, skipValidation: false, manifest: app.manifest };
  for (const stack of stacks) stack.synthesizer.synthesize(session);
  const problems = app.node.validate();
  if (problems.length > 0) throw new StackError('invalidStack', problems.join('; '));
  app.manifest.writeToFile();
}
