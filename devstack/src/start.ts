/**
 * `npm start`: the whole product on this machine, emulated (B06). Prints the URLs and how to place a test call;
 * Ctrl-C stops everything cleanly.
 */
import { buildPreview } from '../preview/build.ts';
import { startPreview } from '../preview/server.ts';
import { PortInUseError, startStack } from './stack.ts';

function port(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`${variable}=${raw} is not a port number (1–65535).`);
    process.exit(2);
  }
  return value;
}

const started = Date.now();
try {
  const stack = await startStack({
    ports: {
      relay: port('RELAY_PORT', 3978),
      teams: port('TEAMS_SIM_PORT', 4300),
      salesforce: port('SF_EMULATOR_PORT', 4400),
      pubSub: port('SF_PUBSUB_PORT', 4401)
    },
    relayLogLevel: process.env['LOG_LEVEL'] ?? 'info',
    relayOutput: 'inherit',
    onProgress: (message) => console.log(`… ${message}`)
  });
  console.log('… Building the console preview (the real LWCs with Lightning base components and SLDS)');
  await buildPreview();
  const preview = await startPreview({
    port: port('PREVIEW_PORT', 4000),
    host: '127.0.0.1',
    backendUrl: stack.salesforce.url,
    simulatorUrl: stack.teams.url
  });
  const line = '+15555550101';
  console.log(`
Teams Softphone — local stack (EMULATED: no Microsoft or Salesforce account involved), up in ${((Date.now() - started) / 1000).toFixed(1)} s

  console preview       ${preview.url}   ← open this: the softphone, call history, redirect settings, setup, and Teams/caller panels
  relay                 ${stack.relayUrl}   (/healthz, /readyz, /metrics)
  Teams simulator       ${stack.teams.url}   (Graph at ${stack.teams.graphUrl}, control API at /_sim)
  Salesforce emulator   ${stack.salesforce.url}   (Pub/Sub API at ${stack.salesforce.pubSubEndpoint})

Place a test call to Alice's line and act as her Teams client:
  node --import tsx devstack/src/teams-simulator/cli.ts --url ${stack.teams.url} place-call --from +15555550123 --to ${line}
  node --import tsx devstack/src/teams-simulator/cli.ts --url ${stack.teams.url} accept alice@contoso.example

Ctrl-C stops everything.`);
  const shutdown = (): void => {
    console.log('\nStopping the local stack…');
    void preview
      .stop()
      .then(() => stack.stop())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(error instanceof PortInUseError ? error.message : `The local stack did not start: ${String(error)}`);
  process.exit(1);
}
