// DEVELOPMENT ONLY — Salesforce emulator: OAuth JWT bearer, the REST slice, CometD (faye) and the Pub/Sub API.
import type { KeyObject } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { EventBus } from './event-bus.ts';
import { handleCallEvents } from './event-handler.ts';
import { TokenRegistry, verifyAssertion, type OAuthConfig } from './oauth.ts';
import { registerApexRoutes } from './apex/index.ts';
import { ObjectPermissions } from './permissions.ts';
import { startPubSub } from './pubsub-server.ts';
import { SoqlError } from './soql.ts';
import { OrgStore, type StoredEvent } from './store.ts';
import { seedDemoOrg, type SeededOrg } from './seed.ts';
import { generateTlsMaterial, type TlsMaterial } from '../keys/index.ts';

const require = createRequire(import.meta.url);

/** Repo's force-app: the default metadata root the Avro schemas are derived from. */
export const DEFAULT_METADATA_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'force-app');

export interface SalesforceEmulatorOptions {
  host?: string;
  /** REST/OAuth/CometD port (0 = any). */
  port?: number;
  /** Pub/Sub gRPC port (0 = any). */
  pubSubPort?: number;
  /** TLS for gRPC and HTTPS. Generated (self-signed, localhost) when omitted. */
  tls?: TlsMaterial;
  /**
   * Serve REST/OAuth/CometD over plain HTTP. Default false: the instance URL must be https for
   * salesforce-pubsub-api-client, as it is in a real org.
   */
  plainHttp?: boolean;
  apiVersion?: string;
  metadataRoot?: string;
  /** SQLite file; default in memory. */
  dbFile?: string;
  oauth: Omit<OAuthConfig, 'audiences'> & { audiences?: string[] };
  seed?: boolean;
  keepaliveMs?: number;
  onPublished?: (topic: string, events: Record<string, unknown>[]) => void;
  /** Apply TeamsCallEvent__e to TeamsCall__c / timeline / Task like the org's trigger (default true). */
  recordKeeping?: boolean;
  /** Certificate and Key Management: private keys by certificate API name, for Auth.JWS (the B10 stream token). */
  certificates?: ReadonlyMap<string, KeyObject>;
}

export interface SalesforceEmulator {
  url: string;
  /** host:port for salesforce-pubsub-api-client's `pubSubEndpoint`. */
  pubSubEndpoint: string;
  orgId: string;
  tls: TlsMaterial;
  store: OrgStore;
  bus: EventBus;
  seeded?: SeededOrg;
  /**
   * Emulates Salesforce being down (fault tests, B01): Pub/Sub RPCs answer UNAVAILABLE and open subscriptions
   * end, REST and OAuth answer 503, until `outage(false)`.
   */
  outage(down: boolean): void;
  /** DEVELOPMENT ONLY: a session for a user of the emulated org, as if they had logged in (browser-side clients). */
  sessionFor(userId: string): string;
  stop(): Promise<void>;
}

type Req = FastifyRequest<{ Params: Record<string, string>; Querystring: Record<string, string> }>;

const restError = (reply: FastifyReply, status: number, errorCode: string, message: string) =>
  reply.code(status).send([{ message, errorCode }]);

/** CometD carries DateTime fields as ISO strings, not the Avro long millis. */
function toCometdPayload(bus: EventBus, e: StoredEvent): Record<string, unknown> {
  const schema = bus.schemaById(e.schemaId);
  const out: Record<string, unknown> = { ...e.decoded };
  for (const f of schema?.fields ?? []) {
    if ((f.doc === 'CreatedDate:DateTime' || f.doc === 'CustomField:DateTime') && typeof out[f.name] === 'number') {
      out[f.name] = new Date(out[f.name] as number).toISOString();
    }
  }
  return out;
}

export async function start(options: SalesforceEmulatorOptions): Promise<SalesforceEmulator> {
  const apiVersion = options.apiVersion ?? '67.0';
  const tls = options.tls ?? (await generateTlsMaterial());
  const store = new OrgStore(options.dbFile ?? ':memory:');
  const bus = new EventBus(store, options.metadataRoot ?? DEFAULT_METADATA_ROOT);
  const tokens = new TokenRegistry(store.orgId);
  const seeded = options.seed === false ? undefined : seedDemoOrg(store, options.oauth.username);
  let baseUrl = '';

  const app: FastifyInstance = !options.plainHttp
    ? Fastify({
        serverFactory: (handler) => createHttpsServer({ key: tls.key, cert: tls.cert }, handler)
      })
    : Fastify();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const session = (req: FastifyRequest) => {
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return tokens.lookup(m?.[1]);
  };

  app.post('/services/oauth2/token', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const audiences = options.oauth.audiences ?? [
      'https://login.salesforce.com',
      'https://test.salesforce.com',
      baseUrl
    ];
    const verdict = await verifyAssertion({ ...options.oauth, audiences }, body.grant_type, body.assertion);
    if (!verdict.ok) return reply.code(verdict.error.status).send(verdict.error.body);
    const user = store.query(`SELECT Id FROM User WHERE Username = '${options.oauth.username.replace(/'/g, "\\'")}'`)
      .records[0];
    const userId =
      typeof user?.Id === 'string'
        ? user.Id
        : store.insert('User', { Username: options.oauth.username, Name: 'Integration' }).Id;
    const s = tokens.issue(userId);
    return {
      access_token: s.accessToken,
      scope: 'api',
      instance_url: baseUrl,
      id: `${baseUrl}/id/${store.orgId}/${userId}`,
      token_type: 'Bearer',
      issued_at: String(s.issuedAt)
    };
  });

  app.get('/id/:org/:user', async (req: Req, reply) => {
    if (!session(req)) return restError(reply, 403, 'Forbidden', 'Bad_OAuth_Token');
    return { organization_id: req.params.org, user_id: req.params.user, username: options.oauth.username };
  });

  // OpenID userinfo: salesforce-pubsub-api-client's oauth-jwt-bearer mode reads organization_id from it.
  app.get('/services/oauth2/userinfo', (req, reply) => {
    const s = session(req);
    if (!s) return reply.code(403).send('Bad_OAuth_Token');
    const user = store.get('User', s.userId);
    return {
      sub: `${baseUrl}/id/${store.orgId}/${s.userId}`,
      user_id: s.userId,
      organization_id: store.orgId,
      preferred_username: user?.Username ?? options.oauth.username,
      name: user?.Name ?? null
    };
  });

  app.get('/services/data', () => [{ label: 'Emulator', url: `/services/data/v${apiVersion}`, version: apiVersion }]);

  let down = false;
  app.addHook('onRequest', async (req, reply) => {
    if (down && !req.url.startsWith('/_preview')) return restError(reply, 503, 'SERVER_UNAVAILABLE', 'emulated outage');
    return undefined;
  });
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/services/data/v') && !session(req)) {
      return restError(reply, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    }
    return undefined;
  });

  app.get('/services/data/:v/query', async (req: Req, reply) => {
    try {
      return store.query(req.query.q ?? '');
    } catch (e) {
      if (e instanceof SoqlError) return restError(reply, 400, 'MALFORMED_QUERY', e.message);
      throw e;
    }
  });

  const createOne = (type: string, fields: Record<string, unknown>, userId: string) => {
    const { attributes: _ignored, ...values } = fields;
    if (type.endsWith('__e')) {
      const ev = bus.publishJson(type, values, userId);
      return {
        id: `e00${String(ev.replayId).padStart(12, '0')}AAA`,
        success: true,
        errors: [{ statusCode: 'OPERATION_ENQUEUED', message: String(ev.replayId), fields: [] }]
      };
    }
    const rec = store.insert(type, { OwnerId: userId, ...values });
    return { id: rec.Id, success: true, errors: [] };
  };

  app.post('/services/data/:v/sobjects/:type', async (req: Req, reply) => {
    try {
      return reply
        .code(201)
        .send(createOne(req.params.type!, (req.body ?? {}) as Record<string, unknown>, session(req)!.userId));
    } catch (e) {
      return restError(reply, 400, 'INVALID_FIELD', (e as Error).message);
    }
  });

  app.post('/services/data/:v/composite/sobjects', (req: Req) => {
    const body = (req.body ?? {}) as { records?: (Record<string, unknown> & { attributes?: { type?: string } })[] };
    return (body.records ?? []).map((r) => {
      try {
        return createOne(String(r.attributes?.type ?? ''), r, session(req)!.userId);
      } catch (e) {
        return { success: false, errors: [{ statusCode: 'INVALID_FIELD', message: (e as Error).message, fields: [] }] };
      }
    });
  });

  app.get('/services/data/:v/sobjects/:type/:id', async (req: Req, reply) => {
    const rec = store.get(req.params.type!, req.params.id!);
    if (!rec) return restError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return { attributes: { type: req.params.type, url: req.url }, ...rec };
  });

  app.patch('/services/data/:v/sobjects/:type/:id', async (req: Req, reply) => {
    const updated = store.update(req.params.type!, req.params.id!, (req.body ?? {}) as Record<string, unknown>);
    if (!updated) return restError(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return reply.code(204).send();
  });

  // Upsert by external id (e.g. TeamsRelayStatus__c/RelayInstanceId__c/<id>).
  app.patch('/services/data/:v/sobjects/:type/:field/:value', async (req: Req, reply) => {
    const { type, field, value } = req.params as { type: string; field: string; value: string };
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const existing = store.all(type).find((r) => r[field] === value);
    if (existing) {
      store.update(type, existing.Id, fields);
      return reply.code(200).send({ id: existing.Id, success: true, errors: [], created: false });
    }
    const rec = store.insert(type, { OwnerId: session(req)!.userId, ...fields, [field]: value });
    return reply.code(201).send({ id: rec.Id, success: true, errors: [], created: true });
  });

  // Emulator-only inspection endpoints (never part of Salesforce's API).
  app.get('/_emulator/records/:type', (req: Req) => store.all(req.params.type!));
  app.get('/_emulator/events', (req: Req) =>
    store
      .eventsAfter(req.query.topic ?? '/event/TeamsCallEvent__e', 0, 10_000)
      .map((e) => ({ replayId: e.replayId, payload: e.decoded }))
  );

  registerApexRoutes(app, {
    store,
    bus,
    integrationUsername: options.oauth.username,
    prepareDemoOrg: !!seeded,
    ...(options.certificates && { certificates: options.certificates })
  });

  // CometD for browser subscribers (lightning/empApi's transport). No component of the package subscribes any more
  // (B10); what the org allows is still enforced: the session in the Authorization header of every request, and
  // Read on the event to subscribe to its channel (an agent has none on TeamsCallEvent__e).
  type BayeuxMessage = { channel: string; subscription?: string; error?: string };
  const faye = require('faye') as {
    NodeAdapter: new (o: { mount: string; timeout: number }) => {
      attach(s: unknown): void;
      addExtension(extension: {
        incoming(
          message: BayeuxMessage,
          request: { headers?: Record<string, string | undefined> } | undefined,
          callback: (m: BayeuxMessage) => void
        ): void;
      }): void;
      getClient(): { publish(ch: string, msg: unknown): void; disconnect(): void };
      close(): void;
    };
  };
  const bayeux = new faye.NodeAdapter({ mount: `/cometd/${apiVersion}`, timeout: 45 });
  const permissions = new ObjectPermissions(store, options.metadataRoot ?? DEFAULT_METADATA_ROOT);
  bayeux.addExtension({
    incoming(message, request, callback) {
      // No request: the emulator's own in-process publisher.
      if (request && (message.channel === '/meta/handshake' || message.channel === '/meta/subscribe')) {
        const bearer = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(request.headers?.['authorization'] ?? '');
        const user = tokens.lookup(bearer?.[1]);
        const eventName = /^\/event\/(\w+__e)$/.exec(message.subscription ?? '')?.[1];
        if (!user) message.error = '401::Authentication invalid';
        else if (message.channel === '/meta/subscribe' && !eventName)
          message.error = `400::The channel ${String(message.subscription)} is not served by the emulator`;
        else if (eventName && !permissions.allows(user.userId, eventName, 'Read'))
          message.error = `403::Forbidden: no Read access to ${eventName}`;
      }
      callback(message);
    }
  });
  bayeux.attach(app.server);

  const unlisten = bus.onEvent((e) => {
    const payload = toCometdPayload(bus, e);
    bayeux.getClient().publish(e.topic, { schema: e.schemaId, payload, event: { replayId: e.replayId } });
    if (options.recordKeeping !== false) handleCallEvents(store, [e]);
    options.onPublished?.(e.topic, [e.decoded]);
  });

  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  baseUrl = address.replace('127.0.0.1', 'localhost').replace(/^http:/, options.plainHttp ? 'http:' : 'https:');
  const pubsub = await startPubSub({
    host: options.host ?? '127.0.0.1',
    port: options.pubSubPort ?? 0,
    tls,
    bus,
    store,
    keepaliveMs: options.keepaliveMs,
    available: () => !down,
    auth: {
      check: (token, _instanceUrl, tenantId) => !!tokens.lookup(token) && tenantId === store.orgId
    }
  });

  return {
    url: baseUrl,
    pubSubEndpoint: pubsub.endpoint,
    orgId: store.orgId,
    tls,
    store,
    bus,
    seeded,
    sessionFor(userId: string) {
      return tokens.issue(userId).accessToken;
    },
    outage(value: boolean) {
      down = value;
      if (down) pubsub.dropSubscribers();
    },
    async stop() {
      unlisten();
      await pubsub.stop();
      bayeux.getClient().disconnect();
      bayeux.close();
      app.server.closeAllConnections();
      await app.close();
      store.close();
    }
  };
}
