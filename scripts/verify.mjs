// Entry for `npm run verify`: the checks are TypeScript, run with tsx. Arguments: [--root DIR] [--only a,b].
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Resolved from here, not from the cwd, so `--root` may point at a project without node_modules.
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, join(here, 'verify.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit'
});
process.exit(result.status ?? 1);
