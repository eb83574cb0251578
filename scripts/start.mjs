// `npm start`: runs the local stack (devstack/src/start.ts) with tsx, passing signals through.
import { spawn } from 'node:child_process';

const child = spawn(process.execPath, ['--import', 'tsx', 'devstack/src/start.ts'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
