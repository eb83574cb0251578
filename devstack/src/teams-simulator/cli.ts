// DEVELOPMENT ONLY — drive a running Teams simulator from a terminal:
//   node --import tsx devstack/src/teams-simulator/cli.ts place-call --from +15555550123 --to +15555550101
//   ... accept alice@contoso.example | decline <user> | hangup <user> | caller-hangup <callId>
//   ... presence <user> <availability> [activity] | calls | users | log
// Options/env: --url / TEAMS_SIM_URL (default https://localhost:8443), --ca / TEAMS_SIM_CA (PEM file).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parseArgs } from 'node:util';

export interface CliResult {
  status: number;
  body: unknown;
}

function call(base: string, method: string, path: string, body: unknown, ca: string | undefined): Promise<CliResult> {
  const url = new URL(`/_sim${path}`, base);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!ca && !loopback) throw new Error('--ca is required for a simulator that is not on this machine');
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        // Without a CA file the CLI only talks to loopback, where the simulator's throwaway certificate lives.
        ...(ca ? { ca } : { rejectUnauthorized: false }),
        headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null });
        });
      }
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const USAGE = `usage: cli.ts <command> [args] [--url URL] [--ca FILE]
  place-call --from <E.164> --to <line number|app instance id> [--name <caller name>]
  accept <user id|upn> [--call <callId>]      the agent's Teams client answers the ringing call
  decline <user id|upn> [--call <callId>]     the agent's Teams client declines
  hangup <user id|upn> [--call <callId>]      the agent hangs up in Teams
  caller-hangup <callId>                      the PSTN caller hangs up
  presence <user id|upn> <availability> [activity]
  calls | users | log`;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      ca: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      name: { type: 'string' },
      call: { type: 'string' }
    }
  });
  const base = values.url ?? env.TEAMS_SIM_URL ?? 'https://localhost:8443';
  const caFile = values.ca ?? env.TEAMS_SIM_CA;
  const ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  const [cmd, a1, a2, a3] = positionals;
  const go = (method: string, path: string, body?: unknown) => call(base, method, path, body, ca);
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new Error(`${cmd}: missing ${what}\n${USAGE}`);
    return v;
  };
  switch (cmd) {
    case 'place-call':
      return go('POST', '/calls', {
        from: need(values.from, '--from'),
        to: need(values.to, '--to'),
        callerName: values.name
      });
    case 'accept':
    case 'decline':
    case 'hangup':
      return go(
        'POST',
        `/users/${encodeURIComponent(need(a1, 'user'))}/${cmd}`,
        values.call ? { callId: values.call } : {}
      );
    case 'caller-hangup':
      return go('POST', `/calls/${encodeURIComponent(need(a1, 'callId'))}/caller-hangup`, {});
    case 'presence':
      return go('POST', `/users/${encodeURIComponent(need(a1, 'user'))}/presence`, {
        availability: need(a2, 'availability'),
        activity: a3 ?? a2
      });
    case 'calls':
      return go('GET', '/calls');
    case 'users':
      return go('GET', '/users');
    case 'log':
      return go('GET', '/requests');
    default:
      throw new Error(USAGE);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r.body, null, 2)}\n`);
      process.exitCode = r.status >= 400 ? 1 : 0;
    },
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
    }
  );
}
