// The directory report paths are made relative to: SARIF and GitHub annotations need paths
// relative to the repository root, wherever in the repository the check runs.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest directory at or above `cwd` holding `.git` (a directory or a worktree file); else `cwd`. */
export function repositoryRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}
