/**
 * `npm start`: the whole product on this machine, emulated (B06). Prints the URLs and how to place a test call;
 * Ctrl-C stops everything cleanly.
 */
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
  const line = '+15555550101';
  console.log(`
Teams Softphone — local stack (EMULATED: no Microsoft or Salesforce account involved), up in ${((Date.now() - started) / 1000).toFixed(1)} s

  relay                 ${stack.relayUrl}   (/healthz, /readyz, /metrics)
  Teams simulator       ${stack.teams.url}   (Graph at ${stack.teams.graphUrl}, control API at /_sim)
  Salesforce emulator   ${stack.salesforce.url}   (Pub/Sub API at ${stack.salesforce.pubSubEndpoint})

Place a test call to Alice's line and act as her Teams client:
  node --import tsx devstack/src/teams-simulator/cli.ts --url ${stack.teams.url} place-call --from +15555550123 --to ${line}
  node --import tsx devstack/src/teams-simulator/cli.ts --url ${stack.teams.url} accept alice@contoso.example

Ctrl-C stops everything.`);
  const shutdown = (): void => {
    console.log('\nStopping the local stack…');
    void stack.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  console.error(error instanceof PortInUseError ? error.message : `The local stack did not start: ${String(error)}`);
  process.exit(1);
}
