// Every default of the stack module, in one place. Options types document them with @default
// and refer here; nothing else spells a default out.

export const STACK_DEFAULTS = {
  /** Where synthesized stacks go, relative to the project file's directory. */
  outdir: 'cdktf.out',
  /** Local backend: directory of the state files, relative to the project file's directory (outside outdir, so re-synthesis keeps state). */
  stateDir: '.keywarden/state',
  /** One stack per environment. */
  split: 'environment',
  /** Name of the stack that holds every environment when split is `single`. */
  singleStackName: 'keywarden',
  /** S3 backend: prefix of the state objects (`<prefix>/<stack>.tfstate`). */
  s3KeyPrefix: 'keywarden',
  /** S3 backend: server-side encryption of the state objects. */
  s3Encrypt: true,
  /** Value of the `managed-by` tag on every Secrets Manager secret. */
  managedBy: 'keywarden',
} as const;
