// Runs turbo with the Node version in its cache key: turbo leaves the runtime out of
// its hashes, so without this a Node 22 run would replay Node 20's cached results.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const turboBin = join(dirname(require.resolve('turbo/package.json')), 'bin', 'turbo');
const result = spawnSync(process.execPath, [turboBin, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, SOCKKIT_NODE_VERSION: process.version },
});
process.exit(result.status ?? 1);
