/**
 * The relay's only composition root: configuration → adapters (Graph, Salesforce, SQLite) → the runtime around
 * CallRelay → the HTTP server. Exits non-zero with a readable message when the configuration is incomplete.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { GraphCallControl, GraphCallsClient } from './adapters/graph/calls.client.ts';
import { GraphClient, MsalTokenProvider } from './adapters/graph/graph-client.ts';
import { GraphPresenceClient, GraphPresenceGateway } from './adapters/graph/presence.client.ts';
import { dialledNumberResolver, inboxDecoder } from './adapters/graph/stored-notification.ts';
import { CallbackTokens, WebhookAuthenticator } from './adapters/graph/webhook-auth.ts';
import { PrometheusRelayMetrics } from './adapters/metrics/prometheus.metrics.ts';
import { PubSubCommandSubscriber } from './adapters/salesforce/command-subscriber.ts';
import { JwtBearerAuth } from './adapters/salesforce/jwt-bearer-auth.ts';
import { createPubSubClient } from './adapters/salesforce/pubsub-channel.ts';
import { PubSubEventPublisher } from './adapters/salesforce/pubsub-publisher.ts';
import { SoqlConfigSource } from './adapters/salesforce/soql-config-source.ts';
import { InProcessAgentFeed } from './adapters/feed/in-process.agent-feed.ts';
import { importStreamKey, StreamTokenVerifier } from './adapters/salesforce/stream-token.ts';
import { PostgresStore } from './adapters/store/postgres.store.ts';
import { SqliteStore } from './adapters/store/sqlite.store.ts';
import { NodeTimerScheduler } from './app/workers/timer-scheduler.ts';
import { RelayRuntime } from './app/workers/runtime.ts';
import { ConfigError, describeStore, loadConfigOrThrow, type RelayConfig } from './config/env.ts';
import { pinoRedactionOptions } from './config/redact.ts';
import { buildOpsServer, buildServer, type ServerDeps } from './http/server.ts';
import type { Logger } from './ports/logger.port.ts';

const WEBHOOK_PATH = '/api/calling';
const RELAY_VERSION =
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ??
  'unknown';
const SHUTDOWN_GRACE_MS = 15_000;

function readConfig(): RelayConfig | undefined {
  try {
    return loadConfigOrThrow(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee relay/.env.example for every variable.\n`);
    process.exitCode = 2;
    return undefined;
  }
}

async function main(config: RelayConfig): Promise<void> {
  const base = pino({ level: config.logLevel, ...pinoRedactionOptions() });
  const log: Logger = {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message)
  };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const clock = { now: () => new Date().toISOString() };
  const [homeTenant = ''] = config.graph.allowedTenantIds;

  const store = config.databaseUrl
    ? await PostgresStore.open(config.databaseUrl, config.instanceId ? { instanceId: config.instanceId } : {})
    : new SqliteStore(config.storePath);
  if (store instanceof PostgresStore && !(await store.lockEngine())) {
    await store.close();
    throw new Error(`another relay instance already runs on ${describeStore(config)}; one instance per database (B15)`);
  }
  log.info('store open', { store: describeStore(config), schemaVersion: store.schemaVersion });

  // Microsoft Graph
  const tokens = new MsalTokenProvider({
    clientId: config.graph.appId,
    clientSecret: config.graph.appSecret,
    authorityHost: config.graph.authorityHost,
    ...(config.graph.offlineEndpointBase && { offlineEndpointBase: config.graph.offlineEndpointBase })
  });
  const graph = new GraphClient({
    tokens,
    baseUrl: config.graph.baseUrl,
    log: (level, message, fields) => (level === 'debug' ? log.debug?.(message, fields) : log[level](message, fields))
  });
  const callsClient = new GraphCallsClient(graph);
  const callbackTokens = new CallbackTokens(config.graph.callbackTokenSecret);
  const callbackBase = `${config.publicBaseUrl}${WEBHOOK_PATH}/callback`;
  // Graph call control needs the tenant of a call, which the runtime (built after it) knows.
  const late: { runtime?: RelayRuntime } = {};
  const callControl = new GraphCallControl(callsClient, {
    tenantOf: (callId) => late.runtime?.relay.snapshot().calls[callId]?.tenantId,
    defaultTenantId: homeTenant,
    callbackUriFor: (callId) => callbackTokens.callbackUri(callbackBase, callId),
    outboundCallbackUri: `${config.publicBaseUrl}${WEBHOOK_PATH}`,
    resourceAccountFor: (line) =>
      Object.entries(config.graph.resourceAccounts).find(([, number]) => number === line.replace(/[^+\d]/g, ''))?.[0]
  });
  const presence = new GraphPresenceGateway(new GraphPresenceClient(graph), {
    tenantId: homeTenant,
    sessionId: config.graph.appId
  });
  const authenticator = new WebhookAuthenticator({
    appId: config.graph.appId,
    allowedTenantIds: config.graph.allowedTenantIds,
    openIdMetadataUrls: config.graph.openIdMetadataUrls
  });

  // Salesforce: one JWT-bearer session shared by jsforce (SOQL) and the Pub/Sub client.
  const sfAuth = new JwtBearerAuth({
    loginUrl: config.salesforce.loginUrl,
    clientId: config.salesforce.clientId,
    username: config.salesforce.username,
    privateKeyPem: config.salesforce.privateKeyPem,
    orgId: config.salesforce.orgId,
    apiVersion: config.salesforce.apiVersion
  });
  const pubsub = createPubSubClient({ endpoint: config.salesforce.pubSubEndpoint, session: () => sfAuth.getSession() });
  const publisher = new PubSubEventPublisher({
    client: pubsub,
    createdById: async () => (await sfAuth.getSession()).userId,
    reauthenticate: () => sfAuth.authenticate(),
    registry
  });
  const configSource = new SoqlConfigSource({
    connection: async () => {
      await sfAuth.getSession();
      return sfAuth.connection;
    },
    warn: (message, fields) => log.warn(message, fields)
  });

  const timers = new NodeTimerScheduler();
  const agentFeed = config.stream ? new InProcessAgentFeed() : undefined;
  const started = await RelayRuntime.start(
    {
      store,
      callControl,
      presence,
      publisher,
      configSource,
      clock,
      timers,
      logger: log,
      metrics: new PrometheusRelayMetrics(registry, {
        outboxDepth: () => store.outboxDepth(),
        deadLetters: async () => (await store.deadLetters()).length
      }),
      decode: inboxDecoder(dialledNumberResolver(config.graph.resourceAccounts)),
      heartbeat: { instanceId: config.instanceId ?? hostname(), version: RELAY_VERSION },
      retention: config.retention,
      ...(agentFeed && { agentFeed }),
      keepAlive: async (tenantId, callId) => {
        const result = await callsClient.keepAlive(tenantId, callId);
        if (!result.ok && result.status === 404) return 'gone';
        if (!result.ok) throw new Error(`keepAlive ${result.status ?? result.kind}: ${result.message}`);
        return 'ok';
      }
    },
    { presenceMs: config.presencePollSeconds * 1000, heartbeatMs: config.heartbeatSeconds * 1000 }
  );
  late.runtime = started;

  const subscriber = new PubSubCommandSubscriber({
    client: pubsub,
    replayIds: store,
    onCommand: async (command) => {
      await started.onCommand(command);
    },
    onReplayReset: () => {
      // Commands older than the new LATEST position are stale by now; the agents' consoles re-read call state.
      log.warn('stored command replay id refused; resumed at LATEST, older commands not replayed');
      return Promise.resolve();
    },
    reauthenticate: () => sfAuth.authenticate(),
    log: (level, message, fields) => log[level](message, fields)
  });

  const checks: ServerDeps['checks'] = {
    store: async () => ({ ok: true, detail: `outbox depth ${await store.outboxDepth()}` }),
    graph: async () => {
      await tokens.getToken(homeTenant);
      return { ok: true };
    },
    salesforce: async () => {
      const session = await sfAuth.getSession();
      return subscriber.connected
        ? { ok: true, detail: `org ${session.organizationId}` }
        : { ok: false, detail: 'command subscription not connected' };
    },
    config: () => {
      const status = started.config.status();
      const loadedAt = started.relay.snapshot().config.loadedAt;
      return status.loaded
        ? { ok: true, detail: `loaded at ${loadedAt}` }
        : { ok: false, detail: `last load failed (${status.lastError ?? 'unknown'}); using snapshot of ${loadedAt}` };
    }
  };
  const server = buildServer({
    webhook: {
      authenticator,
      callbackTokens,
      inbox: store,
      onStored: () => void started.processInbox(),
      path: WEBHOOK_PATH,
      // Once Graph confirmed the bot's leg on its callbackUri, that call's notifications must carry its token.
      // B09: a call the relay placed has no per-call token (Graph names it only in its response).
      hasCallback: (callId) => {
        const call = started.relay.snapshot().calls[callId];
        return call?.botEstablished === true && call.direction !== 'Outbound';
      }
    },
    registry,
    log,
    checks,
    ops: config.ops ? 'elsewhere' : 'loopback',
    ...(config.stream &&
      agentFeed && {
        stream: {
          feed: agentFeed,
          tokens: new StreamTokenVerifier({
            keys: await Promise.all(config.stream.certificatesPem.map(importStreamKey)),
            orgId: config.salesforce.orgId
          }),
          allowedOrigins: config.stream.allowedOrigins
        }
      })
  });
  const opsServer = config.ops ? buildOpsServer({ registry, log, checks }) : undefined;

  started.startLoops();
  subscriber.start();
  await server.listen({ host: config.host, port: config.port });
  log.info('relay listening', { host: config.host, port: config.port });
  if (opsServer && config.ops) {
    await opsServer.listen(config.ops);
    log.info('operator endpoints listening', config.ops);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    void (async () => {
      await server.close(); // stop accepting; requests in flight finish
      await opsServer?.close();
      await subscriber.stop();
      await started.stop(); // inbox pass, pollers, then the outbox drain finish their work
      timers.cancelAll(); // timers are durable in the store and re-armed on the next start
      pubsub.close();
      await store.close();
      log.info('relay stopped');
      process.exit(0);
    })().catch((error: unknown) => {
      log.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

const config = readConfig();
if (config) {
  main(config).catch((error: unknown) => {
    process.stderr.write(`relay failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
