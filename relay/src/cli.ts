/**
 * Support CLI. `npm run relay -- doctor`: checks the installation read-only with the relay's environment
 * (relay/src/doctor). `npm run relay -- parse <file>`: reads a captured calling-webhook body (the raw Graph POST body,
 * or an inbox row's stored notification) and prints one JSON line per notification item — the engine input the
 * relay understood, or why it could not. Resource accounts come from GRAPH_RESOURCE_ACCOUNTS when set.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dialledNumberResolver, decodeNotifications } from './adapters/graph/stored-notification.ts';
import { runDoctor } from './doctor/doctor.ts';

const USAGE = 'usage: npm run relay -- parse <captured-webhook-body.json>\n       npm run relay -- doctor';

export function parseCapture(text: string, env: Record<string, string | undefined>, now: Date): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    return [JSON.stringify({ error: 'not-json', detail: error instanceof Error ? error.message : String(error) })];
  }
  // An inbox row (`StoredNotification`) wraps the Graph body with the tenant and receipt time.
  const stored = json as { tenantId?: unknown; receivedAt?: unknown; body?: unknown };
  const wrapped = typeof stored.tenantId === 'string' && typeof stored.body === 'object' && stored.body !== null;
  const body = wrapped ? stored.body : json;
  const context = {
    receivedAt: wrapped && typeof stored.receivedAt === 'string' ? stored.receivedAt : now.toISOString(),
    tenantId: wrapped ? (stored.tenantId as string) : 'unknown-tenant',
    dialledNumberFor: dialledNumberResolver(resourceAccounts(env['GRAPH_RESOURCE_ACCOUNTS']))
  };
  try {
    return decodeNotifications(body, context).map((item, index) => JSON.stringify({ index, ...item }));
  } catch (error) {
    return [JSON.stringify({ error: 'not-comms-notifications', detail: error instanceof Error ? error.message : '' })];
  }
}

function resourceAccounts(value: string | undefined): Record<string, string> {
  const accounts: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const [id, number] = pair.split('=').map((s) => s.trim());
    if (id && number) accounts[id.toLowerCase()] = number;
  }
  return accounts;
}

async function run(argv: string[]): Promise<number> {
  const [command, file] = argv;
  if (command === 'doctor' && argv.length === 1) {
    return runDoctor(process.env, (text) => process.stdout.write(text));
  }
  if (command !== 'parse' || !file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    // `npm run relay` runs in the workspace folder; INIT_CWD is where the engineer typed the command.
    text = readFileSync(resolve(process.env['INIT_CWD'] ?? process.cwd(), file), 'utf8');
  } catch {
    process.stderr.write(`cannot read ${file}\n`);
    return 1;
  }
  const lines = parseCapture(text, process.env, new Date());
  process.stdout.write(`${lines.join('\n')}\n`);
  return lines.some((line) => line.startsWith('{"error"')) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  );
}
