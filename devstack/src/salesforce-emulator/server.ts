// DEVELOPMENT ONLY — Salesforce emulator: OAuth JWT bearer, the REST slice, CometD (faye) and the Pub/Sub API.
import type { KeyObject } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { EventBus } from './event-bus.ts';
import { handleCallEvents } from './event-handler.ts';
import { TokenRegistry, verifyAssertion, type OAuthConfig } from './oauth.ts';
import { registerApexRoutes } from './apex/index.ts';
import { ObjectPermissions, type FieldAccess, type ObjectAccess } from './permissions.ts';
import { startPubSub } from './pubsub-server.ts';
import { fieldsOf, parseSoql, SoqlError, type SoqlQuery } from './soql.ts';
import { invalidType, SObjectSchema, type FieldInfo, type SObjectInfo } from './sobject-schema.ts';
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

  // Who may do what: the package's permission sets as assigned (CRUD and field-level security). Standard objects
  // follow the standard profile (readable and writable here); custom metadata is readable by every user.
  const metadataRoot = options.metadataRoot ?? DEFAULT_METADATA_ROOT;
  const permissions = new ObjectPermissions(store, metadataRoot);
  const schema = new SObjectSchema(metadataRoot);
  const objectAllowed = (userId: string, info: SObjectInfo, access: ObjectAccess): boolean => {
    if (!info.custom) return true;
    if (info.name.endsWith('__mdt')) return access === 'Read';
    return permissions.allows(userId, info.name, access);
  };
  /** Field-level security; platform event and custom metadata fields have none (Salesforce Help, "Field-Level Security"). */
  const fieldAllowed = (userId: string, info: SObjectInfo, field: FieldInfo, access: FieldAccess): boolean =>
    !info.custom ||
    info.name.endsWith('__e') ||
    info.name.endsWith('__mdt') ||
    field.alwaysAccessible ||
    permissions.allowsField(userId, info.name, field.name, access);
  /** A field the user cannot read does not exist for them (REST answers INVALID_FIELD, as for a typo). */
  const readable = (userId: string) => (info: SObjectInfo, field: FieldInfo) =>
    (objectAllowed(userId, info, 'Read') || (info.name.endsWith('__e') && objectAllowed(userId, info, 'Create'))) &&
    fieldAllowed(userId, info, field, 'readable');
  const visibleObject = (userId: string, info: SObjectInfo | undefined): info is SObjectInfo =>
    !!info && (objectAllowed(userId, info, 'Read') || objectAllowed(userId, info, 'Create'));

  // REST API Developer Guide, "Status Codes and Error Responses": the body is always [{message, errorCode}].
  type RestRefusal = { status: number; errorCode: string; message: string; fields?: string[] };
  const NOT_FOUND: RestRefusal = {
    status: 404,
    errorCode: 'NOT_FOUND',
    message: 'The requested resource does not exist'
  };
  const refuse = (reply: FastifyReply, r: RestRefusal) => restError(reply, r.status, r.errorCode, r.message);

  /** Checks a write of `values` to `info` as `userId`; returns the refusal Salesforce would answer, if any. */
  const checkWrite = (
    userId: string,
    info: SObjectInfo,
    access: 'Create' | 'Edit',
    values: Record<string, unknown>
  ): RestRefusal | undefined => {
    if (info.name.endsWith('__mdt')) {
      // Custom metadata records are deployed, never written through the sObject REST API.
      return { status: 400, errorCode: 'INVALID_TYPE', message: `Cannot ${access.toLowerCase()} ${info.name} records` };
    }
    if (!objectAllowed(userId, info, access)) {
      return {
        status: 400,
        errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
        message: 'You do not have the level of access necessary to perform the operation you requested.'
      };
    }
    for (const key of Object.keys(values)) {
      const field = info.fields.get(key.toLowerCase());
      if (!field || !fieldAllowed(userId, info, field, 'readable')) {
        return {
          status: 400,
          errorCode: 'INVALID_FIELD',
          message: `No such column '${key}' on sobject of type ${info.name}`,
          fields: [key]
        };
      }
      const system = [
        'id',
        'createddate',
        'createdbyid',
        'lastmodifieddate',
        'lastmodifiedbyid',
        'systemmodstamp',
        'isdeleted',
        'replayid',
        'eventuuid'
      ].includes(field.name.toLowerCase());
      if (system || !fieldAllowed(userId, info, field, 'editable')) {
        return {
          status: 400,
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          fields: [field.name]
        };
      }
    }
    return undefined;
  };

  app.get('/services/data/:v/query', async (req: Req, reply) => {
    const userId = session(req)!.userId;
    let q: SoqlQuery;
    try {
      q = parseSoql(req.query.q ?? '');
    } catch (e) {
      if (e instanceof SoqlError) return restError(reply, 400, 'MALFORMED_QUERY', e.message);
      throw e;
    }
    const info = schema.describe(q.object);
    // Platform events cannot be queried; an object the user cannot read is as unknown to them as a typo.
    if (!info || info.name.endsWith('__e') || !objectAllowed(userId, info, 'Read')) {
      return restError(reply, 400, 'INVALID_TYPE', invalidType(q.object));
    }
    for (const path of [...q.fields, ...fieldsOf(q.where), ...(q.orderBy ? [q.orderBy.field] : [])]) {
      const check = schema.resolve(info, path, readable(userId));
      if (!check.ok) return restError(reply, 400, check.errorCode, check.message);
    }
    return store.query(req.query.q ?? '');
  });

  type CreateResult =
    { id: string; success: true; errors: { statusCode: string; message: string; fields: string[] }[] } | RestRefusal;
  const createOne = (type: string, fields: Record<string, unknown>, userId: string): CreateResult => {
    const info = schema.describe(type);
    if (!visibleObject(userId, info)) return NOT_FOUND;
    const { attributes: _ignored, ...values } = fields;
    const refusal = checkWrite(userId, info, 'Create', values);
    if (refusal) return refusal;
    if (info.name.endsWith('__e')) {
      let ev: StoredEvent;
      try {
        ev = bus.publishJson(info.name, values, userId);
      } catch (e) {
        return { status: 400, errorCode: 'INVALID_FIELD', message: (e as Error).message };
      }
      // REST API Developer Guide / Platform Events Developer Guide, "Publish Event Messages Using Salesforce APIs":
      // the result's errors hold one OPERATION_ENQUEUED entry whose message is the event's EventUuid.
      return {
        id: `e00${String(ev.replayId).padStart(12, '0')}AAA`,
        success: true,
        errors: [{ statusCode: 'OPERATION_ENQUEUED', message: ev.eventUuid, fields: [] }]
      };
    }
    const rec = store.insert(info.name, { OwnerId: userId, ...values });
    return { id: rec.Id, success: true, errors: [] };
  };
  const isRefusal = (r: CreateResult): r is RestRefusal => 'errorCode' in r;

  app.post('/services/data/:v/sobjects/:type', async (req: Req, reply) => {
    const result = createOne(req.params.type!, (req.body ?? {}) as Record<string, unknown>, session(req)!.userId);
    if (isRefusal(result)) return refuse(reply, result);
    return reply.code(201).send(result);
  });

  app.post('/services/data/:v/composite/sobjects', (req: Req) => {
    const body = (req.body ?? {}) as { records?: (Record<string, unknown> & { attributes?: { type?: string } })[] };
    return (body.records ?? []).map((r) => {
      const result = createOne(String(r.attributes?.type ?? ''), r, session(req)!.userId);
      if (!isRefusal(result)) return result;
      return {
        success: false,
        errors: [{ statusCode: result.errorCode, message: result.message, fields: result.fields ?? [] }]
      };
    });
  });

  app.get('/services/data/:v/sobjects/:type/:id', async (req: Req, reply) => {
    const userId = session(req)!.userId;
    const info = schema.describe(req.params.type!);
    if (!info || !objectAllowed(userId, info, 'Read')) return refuse(reply, NOT_FOUND);
    const rec = store.get(info.name, req.params.id!);
    if (!rec) return refuse(reply, NOT_FOUND);
    const visible = Object.entries(rec).filter(([k]) => {
      const field = info.fields.get(k.toLowerCase());
      return !!field && readable(userId)(info, field);
    });
    return { attributes: { type: info.name, url: req.url }, ...Object.fromEntries(visible) };
  });

  app.patch('/services/data/:v/sobjects/:type/:id', async (req: Req, reply) => {
    const userId = session(req)!.userId;
    const info = schema.describe(req.params.type!);
    if (!info || !objectAllowed(userId, info, 'Read')) return refuse(reply, NOT_FOUND);
    const values = (req.body ?? {}) as Record<string, unknown>;
    const refusal = checkWrite(userId, info, 'Edit', values);
    if (refusal) return refuse(reply, refusal);
    const updated = store.update(info.name, req.params.id!, values);
    if (!updated) return refuse(reply, NOT_FOUND);
    return reply.code(204).send();
  });

  // Upsert by external id (e.g. TeamsRelayStatus__c/RelayInstanceId__c/<id>). REST API Developer Guide, "Insert or
  // Update (Upsert) a Record Using an External ID": the field must be an External ID field (or Id).
  app.patch('/services/data/:v/sobjects/:type/:field/:value', async (req: Req, reply) => {
    const userId = session(req)!.userId;
    const { type, field: fieldName, value } = req.params as { type: string; field: string; value: string };
    const info = schema.describe(type);
    if (!info || !objectAllowed(userId, info, 'Read')) return refuse(reply, NOT_FOUND);
    const key = info.fields.get(fieldName.toLowerCase());
    if (!key || (!key.externalId && key.name !== 'Id') || !readable(userId)(info, key)) {
      return restError(
        reply,
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${fieldName}`
      );
    }
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const existing = store.all(info.name).find((r) => r[key.name] === value);
    const refusal = checkWrite(userId, info, existing ? 'Edit' : 'Create', fields);
    if (refusal) return refuse(reply, refusal);
    if (existing) {
      store.update(info.name, existing.Id, fields);
      return reply.code(200).send({ id: existing.Id, success: true, errors: [], created: false });
    }
    const rec = store.insert(info.name, { OwnerId: userId, ...fields, [key.name]: value });
    return reply.code(201).send({ id: rec.Id, success: true, errors: [], created: true });
  });

  // Tooling API, only what salesforce-pubsub-api-client's managed subscriptions read: ManagedEventSubscription
  // (Pub/Sub API Developer Guide, "Managed Event Subscriptions"). Any other Tooling object is INVALID_TYPE.
  const toolingQuery = async (req: Req, reply: FastifyReply) => {
    let q: SoqlQuery;
    try {
      q = parseSoql(req.query.q ?? '');
    } catch (e) {
      if (e instanceof SoqlError) return restError(reply, 400, 'MALFORMED_QUERY', e.message);
      throw e;
    }
    if (q.object !== 'ManagedEventSubscription') return restError(reply, 400, 'INVALID_TYPE', invalidType(q.object));
    const unknown = [...q.fields, ...fieldsOf(q.where)].find((f) => !['Id', 'DeveloperName', 'Metadata'].includes(f));
    if (unknown) {
      return restError(
        reply,
        400,
        'INVALID_FIELD',
        `No such column '${unknown}' on entity 'ManagedEventSubscription'.`
      );
    }
    const result = store.query(req.query.q ?? '');
    return {
      size: result.totalSize,
      totalSize: result.totalSize,
      done: true,
      queryLocator: null,
      entityTypeName: q.object,
      records: result.records
    };
  };
  app.get('/services/data/:v/tooling/query', toolingQuery);
  app.get('/services/data/:v/tooling/query/', toolingQuery);

  // What the emulator does not serve is answered as Salesforce answers an unknown resource, never with a success.
  app.setNotFoundHandler((req, reply) =>
    req.url.startsWith('/services/')
      ? restError(
          reply,
          404,
          'NOT_FOUND',
          `The requested resource does not exist (not implemented by the emulator: ${req.method} ${req.url.split('?')[0]})`
        )
      : reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${req.url} not found` })
  );
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (!req.url.startsWith('/services/')) {
      return reply.code(status).send({ statusCode: status, error: error.name, message: error.message });
    }
    // A body Salesforce cannot parse is JSON_PARSER_ERROR (REST API Developer Guide, "Status Codes and Error Responses").
    const code =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(error.message)
        ? 'JSON_PARSER_ERROR'
        : status === 500
          ? 'UNKNOWN_EXCEPTION'
          : 'INVALID_INPUT';
    return restError(reply, status === 500 ? 500 : 400, code, error.message);
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
    // Platform Events Developer Guide, "Platform Event Fields": CometD delivers EventUuid next to the replay id.
    bayeux
      .getClient()
      .publish(e.topic, { schema: e.schemaId, payload, event: { replayId: e.replayId, EventUuid: e.eventUuid } });
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
      userOf: (token, _instanceUrl, tenantId) => (tenantId === store.orgId ? tokens.lookup(token)?.userId : undefined),
      allows: (userId, eventName, access) => permissions.allows(userId, eventName, access)
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
