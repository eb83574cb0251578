/**
 * `npm start`: the whole product on this machine, emulated (B06). Quiet on purpose: two progress lines, the relay's
 * log as short human lines (warnings during startup; after it, what the relay logs at info), and the banner with the
 * URLs last. Enter prints the URLs again; Ctrl-C stops everything cleanly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPreview } from '../preview/build.ts';
import { startPreview } from '../preview/server.ts';
import { freePort, PortInUseError, startStack, type Stack, type StackPorts } from './stack.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LocalStackOptions {
  ports: StackPorts & { preview: number };
  relayLogLevel: string;
  /** Git-ignored folder for the relay's environment (for `relay doctor`) and the emulators' CA certificate. */
  workDir: string;
  print: (line: string) => void;
  /** The console preview: `npm start` builds the LWCs first (slow, silent); tests may serve it unbuilt. */
  preview: (stack: Stack, port: number) => Promise<{ url: string; stop(): Promise<void> }>;
}

export interface LocalStack {
  stack: Stack;
  /** The URL lines of the banner, for printing them again. */
  urls: string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const started = Date.now();
  const { print } = options;
  print('… Starting the emulated Teams tenant and Salesforce org, and the relay against them (throwaway keys)');
  const previewPort = await freePort(options.ports.preview, 'console preview', 'PREVIEW_PORT');
  const stack = await startStack({
    ports: options.ports,
    relayLogLevel: options.relayLogLevel,
    relayOutput: print,
    // B10: the preview's softphone reads its calls from the relay's agent stream.
    streamOrigins: [`http://127.0.0.1:${previewPort}`, `http://localhost:${previewPort}`]
  });
  try {
    mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
    const caFile = join(options.workDir, 'emulator-ca.pem');
    writeFileSync(caFile, stack.teams.tls.cert);
    // The emulators' CA for Node's TLS and for gRPC, which reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH instead when a
    // developer's shell sets it.
    const relayEnv = { ...stack.relayEnv, NODE_EXTRA_CA_CERTS: caFile, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: caFile };
    const envText = Object.entries(relayEnv).map(([name, value]) => `${name}=${value}\n`);
    writeFileSync(join(options.workDir, 'relay.env'), envText.join(''), { mode: 0o600 });

    print('… Building the console preview (the real LWCs with Lightning base components and SLDS)');
    const preview = await options.preview(stack, previewPort);
    const cli = `node --import tsx devstack/src/teams-simulator/cli.ts --url ${stack.teams.url}`;
    const urls = [
      `  relay                ${stack.relayUrl}   (/healthz, /readyz, /metrics)`,
      `  Teams simulator      ${stack.teams.url}   (Graph at ${stack.teams.graphUrl}, control API at /_sim)`,
      `  Salesforce emulator  ${stack.salesforce.url}   (Pub/Sub API at ${stack.salesforce.pubSubEndpoint})`,
      `  console preview      ${preview.url}   ← open this: softphone, call history, rules, setup, Teams and caller panels`
    ].join('\n');
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    print(`
Teams Softphone, local stack: EMULATED (no Microsoft or Salesforce account), up in ${seconds} s. Enter shows the URLs again; Ctrl-C stops.
  Call Alice's line:   ${cli} place-call --from +15555550123 --to +15555550101
  Answer as Alice:     ${cli} accept alice@contoso.example
${urls}`);
    return {
      stack,
      urls,
      stop: async () => {
        await preview.stop();
        await stack.stop();
      }
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

function port(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${variable}=${raw} is not a port number (1–65535, or 0 for any free port).`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  try {
    const local = await startLocalStack({
      ports: {
        relay: port('RELAY_PORT', 3978),
        teams: port('TEAMS_SIM_PORT', 4300),
        salesforce: port('SF_EMULATOR_PORT', 4400),
        pubSub: port('SF_PUBSUB_PORT', 4401),
        preview: port('PREVIEW_PORT', 4000)
      },
      relayLogLevel: process.env['LOG_LEVEL'] ?? 'info',
      workDir: process.env['DEVSTACK_DIR'] || join(REPO_ROOT, '.devstack'),
      print: (line) => console.log(line),
      preview: async (stack, previewPort) => {
        await buildPreview();
        return startPreview({
          port: previewPort,
          host: '127.0.0.1',
          backendUrl: stack.salesforce.url,
          simulatorUrl: stack.teams.url
        });
      }
    });
    if (process.stdin.isTTY) process.stdin.on('data', () => console.log(local.urls));
    const shutdown = (): void => {
      console.log('\nStopping the local stack…');
      process.stdin.pause();
      void local.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } catch (error) {
    console.error(error instanceof PortInUseError ? error.message : `The local stack did not start: ${String(error)}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
