import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/**
 * What code trained a model version: CODE_VERSION when the deployment sets it (an image tag or
 * commit), else the package version and the git commit of the checkout when there is one.
 */
export function codeVersion(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CODE_VERSION) return env.CODE_VERSION;
  if (cached) return cached;
  const root = join(__dirname, '..');
  let version = 'retail-ops';
  try {
    version = `retail-ops@${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}`;
  } catch {
    // no package.json next to the code: keep the bare name
  }
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() !== '';
    if (commit) version += `+${commit}${dirty ? '.dirty' : ''}`;
  } catch {
    // not a git checkout (an image): the package version is what we know
  }
  cached = version;
  return version;
}
