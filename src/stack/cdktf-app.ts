// The app `npx cdktf synth` runs (cdktf.json: `"app": "npx tsx src/stack/cdktf-app.ts"`): the
// same stacks as `keywarden synth`, written to the outdir the cdktf CLI gives (CDKTF_OUTDIR).
// The project file is KEYWARDEN_PROJECT, default examples/keywarden.yaml (this repository's
// demo); the other SynthOptions come from the project file's `stack` section.
import { App } from 'cdktf';
import { APP_CONTEXT, declareStacks, stackLayout } from './synthesize.js';

const app = new App({ context: { ...APP_CONTEXT } });
declareStacks(app, await stackLayout({ project: process.env['KEYWARDEN_PROJECT'] ?? 'examples/keywarden.yaml' }));
app.synth();
