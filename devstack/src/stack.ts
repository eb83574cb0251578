/**
 * The local stack (B06): the Teams simulator, the Salesforce emulator and the relay — unmodified, as a child process
 * configured only through its environment — on loopback, with throwaway keys generated at every start.
 * DEVELOPMENT ONLY. `npm start` runs `startStack()` and prints where to go; tests use it for end-to-end scenarios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateClientCertificate, generateTlsMaterial } from './keys/index.ts';
import { formatLogLine } from './log-format.ts';
import { start as startSalesforce, type SalesforceEmulator } from './salesforce-emulator/server.ts';
import { DEMO_LINES } from './teams-simulator/directory.ts';
import { start as startTeams, type TeamsSimulator } from './teams-simulator/server.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The certificate's API name in the emulated org, as TeamsPhoneSetting__mdt.StreamCertificate__c names it. */
export const STREAM_CERTIFICATE = 'TeamsSoftphoneStream';

export interface StackPorts {
  relay: number;
  teams: number;
  salesforce: number;
  pubSub: number;
}

export interface StackOptions {
  /** 0 picks a free port (tests); `npm start` uses fixed, overridable ports so the URLs are stable. */
  ports?: Partial<StackPorts>;
  /** Where the relay's SQLite file lives; a fresh temporary folder by default. */
  dataDir?: string;
  /** Progress lines for a person watching `npm start`. */
  onProgress?: (message: string) => void;
  /** Relay log level (`silent` in tests). */
  relayLogLevel?: string;
  /**
   * `capture` (tests): kept for failure reports. A function (`npm start`): called with each of the relay's JSON
   * lines as one short human line — during startup only warnings and errors, since the banner says the rest.
   * Either way `relayLog()` has everything.
   */
  relayOutput?: 'capture' | ((line: string) => void);
  /**
   * B10: browser origins that may read the relay's agent stream (the console preview's). With them the stack sets
   * the stream up as an admin would: an org certificate signs the tokens, the relay trusts its exported PEM.
   */
  streamOrigins?: string[];
}

export interface Stack {
  teams: TeamsSimulator;
  salesforce: SalesforceEmulator;
  relayUrl: string;
  /** The relay's environment, exactly what a production deployment would set (minus the throwaway values). */
  relayEnv: Record<string, string>;
  /** Everything the relay printed, JSON as it came. */
  relayLog(): string;
  /** Stops and starts the relay process on the same store (restart tests, B01). */
  restartRelay(): Promise<void>;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly service: string,
    readonly port: number,
    readonly variable: string
  ) {
    super(`Port ${port} for the ${service} is already in use. Stop what uses it, or set ${variable} to another port.`);
  }
}

/** `port`, or a free one for 0; a clear PortInUseError when a fixed port is taken. */
export async function freePort(port: number, service: string, variable: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(service, port, variable) : error)
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolvePort(chosen));
    });
  });
}

async function waitForReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The relay exited with code ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
      last = await response.text();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The relay was not ready within ${timeoutMs / 1000} s (GET ${url}/readyz said ${last}):\n${log()}`);
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const progress = options.onProgress ?? (() => undefined);
  const ports: StackPorts = {
    relay: await freePort(options.ports?.relay ?? 0, 'relay', 'RELAY_PORT'),
    teams: await freePort(options.ports?.teams ?? 0, 'Teams simulator', 'TEAMS_SIM_PORT'),
    salesforce: await freePort(options.ports?.salesforce ?? 0, 'Salesforce emulator', 'SF_EMULATOR_PORT'),
    pubSub: await freePort(options.ports?.pubSub ?? 0, 'Pub/Sub API emulator', 'SF_PUBSUB_PORT')
  };
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'teams-softphone-'));
  const ownsDataDir = options.dataDir === undefined;

  progress('Generating throwaway keys and certificates');
  const relayCertificate = await generateClientCertificate();
  // One certificate for both emulators: two self-signed certificates with the same subject (localhost) in one CA
  // file make OpenSSL pick the wrong issuer for one of them.
  const tls = await generateTlsMaterial();
  const graphSecret = randomBytes(24).toString('base64url');
  const relayUrl = `http://127.0.0.1:${ports.relay}`;

  // B10: the org certificate that signs agent-stream tokens (Setup → Certificate and Key Management).
  const streamCertificate =
    (options.streamOrigins ?? []).length > 0 ? await generateClientCertificate(STREAM_CERTIFICATE) : undefined;

  progress('Starting the Salesforce emulator (OAuth, REST, Pub/Sub API, CometD) with a demo org');
  const salesforce = await startSalesforce({
    host: '127.0.0.1',
    port: ports.salesforce,
    pubSubPort: ports.pubSub,
    tls,
    dbFile: join(dataDir, 'salesforce-emulator.sqlite'),
    oauth: {
      clientId: 'teams-relay-dev',
      username: 'relay@teams-softphone.dev',
      certificate: relayCertificate.certPem
    },
    seed: true,
    // Salesforce sends a keepalive about every 270 s; a short one makes the relay's replay-id bookkeeping visible.
    keepaliveMs: 5_000,
    ...(streamCertificate && {
      certificates: new Map([[STREAM_CERTIFICATE, createPrivateKey(streamCertificate.privateKeyPem)]])
    })
  });

  progress('Starting the Teams simulator (Microsoft Graph calling and presence)');
  const teams = await startTeams({
    host: '127.0.0.1',
    port: ports.teams,
    tls,
    clientSecret: graphSecret,
    notificationUrl: `${relayUrl}/api/calling`
  });

  const streamEnv: Record<string, string> = {};
  if (streamCertificate) {
    // What the admin sets in Teams Phone Setup (TeamsPhoneSetting__mdt) and gives the relay (docs/install).
    const settings = salesforce.store.all('TeamsPhoneSetting__mdt').find((row) => row.DeveloperName === 'Default');
    if (settings) {
      salesforce.store.update('TeamsPhoneSetting__mdt', settings.Id, {
        RelayStreamUrl__c: relayUrl,
        StreamCertificate__c: STREAM_CERTIFICATE
      });
    }
    // Setup → Trusted URLs: the relay origin with connect-src, so Lightning lets the softphone connect.
    salesforce.store.insert('CspTrustedSite', {
      DeveloperName: 'TeamsRelay',
      EndpointUrl: relayUrl,
      IsActive: true,
      IsApplicableToConnectSrc: true
    });
    const streamCertificateFile = join(dataDir, 'stream-certificate.pem');
    writeFileSync(streamCertificateFile, streamCertificate.certPem);
    streamEnv['RELAY_STREAM_CERTIFICATES_FILE'] = streamCertificateFile;
    streamEnv['RELAY_STREAM_ORIGINS'] = (options.streamOrigins ?? []).join(',');
  }

  const keyFile = join(dataDir, 'relay-salesforce-key.pem');
  writeFileSync(keyFile, relayCertificate.privateKeyPem, { mode: 0o600 });
  const caFile = join(dataDir, 'emulator-ca.pem');
  writeFileSync(caFile, tls.cert);

  const relayEnv: Record<string, string> = {
    LOG_LEVEL: options.relayLogLevel ?? 'info',
    HOST: '127.0.0.1',
    PORT: String(ports.relay),
    RELAY_PUBLIC_BASE_URL: relayUrl,
    RELAY_ALLOW_INSECURE_LOOPBACK: 'true',
    RELAY_STORE_PATH: join(dataDir, 'relay.sqlite'),
    // The simulator has no throttling budget to protect: presence changes show within seconds.
    RELAY_PRESENCE_POLL_SECONDS: '2',
    GRAPH_APP_ID: teams.botAppId,
    GRAPH_APP_SECRET: graphSecret,
    GRAPH_ALLOWED_TENANT_IDS: teams.tenantId,
    GRAPH_RESOURCE_ACCOUNTS: DEMO_LINES.map((line) => `${line.appInstanceId}=${line.phoneNumber}`).join(','),
    CALLBACK_TOKEN_SECRET: randomBytes(48).toString('base64url'),
    GRAPH_BASE_URL: teams.graphUrl,
    GRAPH_OFFLINE_ENDPOINT_BASE: teams.url,
    GRAPH_OPENID_METADATA_URLS: teams.openIdConfigurationUrl,
    SF_LOGIN_URL: salesforce.url,
    SF_CLIENT_ID: 'teams-relay-dev',
    SF_USERNAME: 'relay@teams-softphone.dev',
    SF_PRIVATE_KEY_FILE: keyFile,
    SF_ORG_ID: salesforce.orgId,
    SF_API_VERSION: '67.0',
    SF_PUBSUB_ENDPOINT: salesforce.pubSubEndpoint,
    ...streamEnv
  };

  let output = '';
  let relay: ChildProcess | undefined;
  const launchRelay = async (): Promise<void> => {
    progress('Starting the relay against the emulators');
    output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'relay', 'src', 'main.ts')], {
      cwd: join(REPO_ROOT, 'relay'),
      // Only what the relay needs, plus the emulators' self-signed CA: nothing from the developer's shell leaks in.
      env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: caFile, ...relayEnv },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let ready = false;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        output += `${line}\n`;
        const print = options.relayOutput;
        if (typeof print !== 'function') return;
        const formatted = formatLogLine(line);
        if (ready || formatted.level === undefined || formatted.level >= 40) print(formatted.text);
      });
    }
    relay = child;
    await waitForReady(relayUrl, child, () => output);
    ready = true;
  };
  const stopRelay = async (): Promise<void> => {
    const child = relay;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(killer);
        done();
      });
      child.kill('SIGTERM');
    });
  };

  try {
    await launchRelay();
  } catch (error) {
    await stopRelay();
    await teams.stop();
    await salesforce.stop();
    throw error;
  }

  return {
    teams,
    salesforce,
    relayUrl,
    relayEnv,
    relayLog: () => output,
    restartRelay: async () => {
      await stopRelay();
      await launchRelay();
    },
    stop: async () => {
      await stopRelay();
      await teams.stop();
      await salesforce.stop();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
