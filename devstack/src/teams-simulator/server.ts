// DEVELOPMENT ONLY — Teams simulator: an HTTPS Microsoft Graph emulator for the calling and presence endpoints
// the relay uses, a client-credentials token endpoint, OpenID metadata + JWKS for its webhook signatures,
// and a control API (/_sim/...) that plays the caller and the agents' Teams clients.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import { generateSigningKey, generateTlsMaterial, type SigningKey, type TlsMaterial } from '../keys/index.ts';
import {
  DEMO_AGENTS,
  DEMO_BOT_APP_ID,
  DEMO_LINES,
  DEMO_TENANT_ID,
  type DirectoryLine,
  type DirectoryUser
} from './directory.ts';
import type { Json } from './notifications.ts';
import { aadError, registerIdentityDiscovery } from './identity.ts';
import { presenceWriteRefusal } from './presence-rules.ts';
import { CALLING_ISSUER, callingHeaders, postJson, signCallingToken, type Delivery } from './webhook.ts';
import { GraphError, TeamsWorld } from './world.ts';

export interface TeamsSimulatorOptions {
  host?: string;
  port?: number;
  tls?: TlsMaterial;
  tenantId?: string;
  botAppId?: string;
  /** Client secret the relay must present; undefined accepts any secret (still requires the right client id). */
  clientSecret?: string;
  /** The relay's global calling webhook (incoming calls). Can be changed later through the control API. */
  notificationUrl: string;
  /** CA to trust when delivering webhooks to an https relay with a dev certificate. */
  webhookCa?: string;
  users?: DirectoryUser[];
  lines?: DirectoryLine[];
  autoAnswerMs?: number;
  unansweredTimeoutMs?: number;
}

export interface Fault {
  method?: string;
  /** Substring of the Graph path (after /v1.0) that triggers the fault. */
  path?: string;
  status: number;
  code?: string;
  message?: string;
  retryAfter?: number;
  times: number;
}

export interface LoggedRequest {
  at: string;
  method: string;
  path: string;
  body: unknown;
  status: number;
  requestId: string;
}

export interface TeamsSimulator {
  url: string;
  /** Base URL the relay uses instead of https://graph.microsoft.com/v1.0 */
  graphUrl: string;
  /** OpenID metadata URL the relay trusts instead of https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration */
  openIdConfigurationUrl: string;
  tenantId: string;
  botAppId: string;
  tls: TlsMaterial;
  world: TeamsWorld;
  requests: LoggedRequest[];
  deliveries: Delivery[];
  stop(): Promise<void>;
}

type Req = FastifyRequest<{
  Params: Record<string, string>;
  Body: Json | undefined;
  Querystring: Record<string, string>;
}>;

function graphError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  requestId: string
): FastifyReply {
  return reply.code(status).send({
    error: {
      code,
      message,
      innerError: {
        'request-id': requestId,
        date: new Date().toISOString().slice(0, 19),
        'client-request-id': requestId
      }
    }
  });
}

export async function start(options: TeamsSimulatorOptions): Promise<TeamsSimulator> {
  const tenantId = options.tenantId ?? DEMO_TENANT_ID;
  const botAppId = options.botAppId ?? DEMO_BOT_APP_ID;
  const tls = options.tls ?? (await generateTlsMaterial());
  const webhookKey: SigningKey = generateSigningKey();
  const tokenKey: SigningKey = generateSigningKey();
  const requests: LoggedRequest[] = [];
  const deliveries: Delivery[] = [];
  const faults: Fault[] = [];
  let notificationUrl = options.notificationUrl;
  let baseUrl = '';

  const deliver = async (
    url: string,
    body: Json,
    chainId: string,
    key: SigningKey = webhookKey,
    forged = false
  ): Promise<Delivery> => {
    const d: Delivery = { at: new Date().toISOString(), url, body, status: null, ...(forged ? { forged } : {}) };
    try {
      const token = await signCallingToken(key, botAppId, tenantId);
      d.status = await postJson(url, body, callingHeaders(token, chainId), options.webhookCa);
    } catch (e) {
      d.error = (e as Error).message;
    }
    deliveries.push(d);
    return d;
  };

  const world = new TeamsWorld({
    tenantId,
    botAppId,
    users: options.users ?? DEMO_AGENTS,
    lines: options.lines ?? DEMO_LINES,
    get notificationUrl() {
      return notificationUrl;
    },
    autoAnswerMs: options.autoAnswerMs,
    unansweredTimeoutMs: options.unansweredTimeoutMs,
    send: async (url, body, call) => {
      await deliver(url, body, call.chainId);
    }
  });

  const app = Fastify({ serverFactory: (handler) => createHttpsServer({ key: tls.key, cert: tls.cert }, handler) });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Graph accepts bodiless POSTs (keepAlive, clearUserPreferredPresence) with or without a JSON content type.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, (body as string).trim() === '' ? {} : (JSON.parse(body as string) as Json));
    } catch {
      done(Object.assign(new Error('Invalid JSON'), { statusCode: 400 }), undefined);
    }
  });

  // ---------- identity: token endpoint, OpenID metadata, JWKS ----------
  app.post('/:tenant/oauth2/v2.0/token', async (req: Req, reply) => {
    const body = (req.body ?? {}) as Record<string, string>;
    const refuse = (status: number, error: string, code: number, description: string) =>
      aadError(reply, status, error, code, description);
    if (body.grant_type !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (req.params.tenant !== tenantId)
      return refuse(400, 'invalid_request', 90002, `Tenant '${req.params.tenant}' not found.`);
    if (body.client_id !== botAppId)
      return refuse(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${body.client_id}' was not found.`
      );
    if (options.clientSecret !== undefined && body.client_secret !== options.clientSecret) {
      return refuse(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    // MSAL may append OIDC scopes; what matters is that the Graph .default scope is asked for.
    if (
      !String(body.scope ?? '')
        .split(/\s+/)
        .includes('https://graph.microsoft.com/.default')
    )
      return refuse(400, 'invalid_scope', 1002012, 'The provided value for scope is not valid.');
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      tid: tenantId,
      appid: botAppId,
      // The application permissions docs/install/microsoft.md has the admin consent to (relay doctor checks them).
      roles: ['Calls.Initiate.All', 'Calls.InitiateGroupCall.All', 'Calls.JoinGroupCall.All', 'Presence.ReadWrite.All']
    })
      .setProtectedHeader({ alg: 'RS256', kid: tokenKey.kid, typ: 'JWT' })
      .setIssuer(`https://sts.windows.net/${tenantId}/`)
      .setAudience('https://graph.microsoft.com')
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 3599)
      .sign(tokenKey.privateKey);
    return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken };
  });

  const openId = () => ({
    issuer: CALLING_ISSUER,
    authorization_endpoint: `${baseUrl}/v1/authorize`,
    jwks_uri: `${baseUrl}/v1/.well-known/keys`,
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt']
  });
  app.get('/.well-known/openid-configuration', () => openId());
  app.get('/v1/.well-known/OpenIdConfiguration', () => openId());
  app.get('/v1/.well-known/keys', () => ({ keys: [webhookKey.publicJwk] }));
  // Entra ID discovery, so msal's production path (no static metadata) runs against the simulator.
  registerIdentityDiscovery(app, { tenantId, baseUrl: () => baseUrl, tokenKey });

  // ---------- Graph v1.0 ----------
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1.0/')) return undefined;
    const requestId = randomUUID();
    void reply
      .header('request-id', requestId)
      .header('client-request-id', String(req.headers['client-request-id'] ?? requestId));
    (req as unknown as { requestId: string }).requestId = requestId;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return graphError(reply, 401, 'InvalidAuthenticationToken', 'Access token is empty.', requestId);
    try {
      await jwtVerify(m[1]!, tokenKey.publicKey, {
        audience: 'https://graph.microsoft.com',
        issuer: `https://sts.windows.net/${tenantId}/`
      });
    } catch {
      return graphError(
        reply,
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience or signature.',
        requestId
      );
    }
    return undefined;
  });
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/v1.0/')) return undefined;
    const path = req.url.slice('/v1.0'.length).split('?')[0]!;
    const idx = faults.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === req.method) && (!f.path || path.includes(f.path))
    );
    if (idx < 0) return undefined;
    const f = faults[idx]!;
    f.times -= 1;
    if (f.times <= 0) faults.splice(idx, 1);
    if (f.retryAfter !== undefined) void reply.header('retry-after', String(f.retryAfter));
    const defaults: Record<number, [string, string]> = {
      429: ['TooManyRequests', 'Too many requests.'],
      503: ['ServiceUnavailable', 'Service is temporarily unavailable.'],
      403: ['7505', 'Request authorization tenant mismatch.'],
      500: ['9999', 'Unknown internal server error.']
    };
    const [code, message] = defaults[f.status] ?? ['UnknownError', 'Injected fault.'];
    return graphError(
      reply,
      f.status,
      f.code ?? code,
      f.message ?? message,
      (req as unknown as { requestId: string }).requestId
    );
  });
  app.addHook('onResponse', async (req, reply) => {
    if (!req.url.startsWith('/v1.0/')) return;
    requests.push({
      at: new Date().toISOString(),
      method: req.method,
      path: req.url.slice('/v1.0'.length).split('?')[0]!,
      body: req.body ?? null,
      status: reply.statusCode,
      requestId: (req as unknown as { requestId: string }).requestId
    });
  });
  // Graph answers a resource it does not have with its error shape; so does the simulator for what it does not emulate.
  app.setNotFoundHandler((req, reply) => {
    const requestId = (req as unknown as { requestId?: string }).requestId ?? randomUUID();
    if (req.url.startsWith('/v1.0/') || req.url.startsWith('/beta/')) {
      return graphError(
        reply,
        400,
        'BadRequest',
        `Resource not found for the segment '${req.url.split('?')[0]!.split('/').filter(Boolean).slice(1).join('/')}' (not implemented by the simulator).`,
        requestId
      );
    }
    return graphError(
      reply,
      404,
      'NotFound',
      `${req.method} ${req.url.split('?')[0]} is not implemented by the simulator.`,
      requestId
    );
  });
  app.setErrorHandler((err: Error, req, reply) => {
    const requestId = (req as unknown as { requestId?: string }).requestId ?? randomUUID();
    if (err instanceof GraphError) return graphError(reply, err.status, err.code, err.message, requestId);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return graphError(reply, status, status === 400 ? 'BadRequest' : '9999', err.message, requestId);
  });

  const body = (req: Req): Json => (req.body && typeof req.body === 'object' ? req.body : {});
  const opLocation = (callId: string, opId: unknown) =>
    `${baseUrl}/v1.0/communications/calls/${callId}/operations/${String(opId)}`;

  // B09: the bot places a call (201 + the call, like Graph).
  app.post('/v1.0/communications/calls', async (req: Req, reply) => {
    const call = world.createCall(body(req));
    return reply
      .code(201)
      .header('location', `${baseUrl}/v1.0/communications/calls/${String(call.id)}`)
      .send(call);
  });
  app.get('/v1.0/communications/calls/:id', (req: Req) => world.callView(world.call(req.params.id!)));
  app.delete('/v1.0/communications/calls/:id', async (req: Req, reply) => {
    world.hangUp(req.params.id!);
    return reply.code(204).send();
  });
  app.post('/v1.0/communications/calls/:id/answer', async (req: Req, reply) => {
    world.answer(req.params.id!, body(req));
    return reply.code(202).send();
  });
  app.post('/v1.0/communications/calls/:id/reject', async (req: Req, reply) => {
    world.reject(req.params.id!, body(req));
    return reply.code(202).send();
  });
  app.post('/v1.0/communications/calls/:id/redirect', async (req: Req, reply) => {
    world.redirect(req.params.id!, body(req));
    return reply.code(202).send();
  });
  app.post('/v1.0/communications/calls/:id/transfer', async (req: Req, reply) => {
    world.transfer(req.params.id!, body(req));
    return reply.code(202).send();
  });
  app.post('/v1.0/communications/calls/:id/keepAlive', async (req: Req, reply) => {
    world.keepAlive(req.params.id!);
    return reply.code(200).send();
  });
  app.get('/v1.0/communications/calls/:id/participants', (req: Req) => world.listParticipants(req.params.id!));
  app.post('/v1.0/communications/calls/:id/participants/invite', async (req: Req, reply) => {
    const op = world.invite(req.params.id!, body(req));
    return reply.code(200).header('location', opLocation(req.params.id!, op.id)).send(op);
  });
  app.delete('/v1.0/communications/calls/:id/participants/:pid', async (req: Req, reply) => {
    world.removeParticipant(req.params.id!, req.params.pid!);
    return reply.code(204).send();
  });
  app.post('/v1.0/communications/calls/:id/participants/:pid/startHoldMusic', async (req: Req, reply) => {
    const op = world.holdMusic(req.params.id!, req.params.pid!, true, body(req));
    return reply.code(202).header('location', opLocation(req.params.id!, op.id)).send(op);
  });
  app.post('/v1.0/communications/calls/:id/participants/:pid/stopHoldMusic', async (req: Req, reply) => {
    const op = world.holdMusic(req.params.id!, req.params.pid!, false, body(req));
    return reply.code(202).header('location', opLocation(req.params.id!, op.id)).send(op);
  });

  app.post('/v1.0/communications/getPresencesByUserId', (req: Req) => {
    const ids = body(req).ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 650)
      throw new GraphError(400, 'BadRequest', 'ids must hold 1 to 650 user ids');
    return { value: ids.map((id) => world.presence(String(id))) };
  });
  app.get('/v1.0/users/:id/presence', (req: Req) => world.presence(req.params.id!));
  app.get('/v1.0/communications/presences/:id', (req: Req) => world.presence(req.params.id!));
  const presenceWrite = (name: string, fn: (id: string, b: Json) => void) =>
    app.post(`/v1.0/users/:id/presence/${name}`, async (req: Req, reply) => {
      if (name === 'setPresence' || name === 'setUserPreferredPresence') {
        const refusal = presenceWriteRefusal(name, body(req));
        if (refusal) throw new GraphError(400, 'BadRequest', refusal);
      }
      fn(req.params.id!, body(req));
      return reply.code(200).send();
    });
  presenceWrite('setPresence', (id, b) => world.setPresence(id, b));
  presenceWrite('clearPresence', (id, b) => world.clearPresence(id, b));
  presenceWrite('setUserPreferredPresence', (id, b) => world.setPreferred(id, b));
  presenceWrite('clearUserPreferredPresence', (id) => world.clearPreferred(id));

  // ---------- control API (simulator only) ----------
  const ctl = async <T>(reply: FastifyReply, fn: () => T | Promise<T>) => {
    try {
      const out = await fn();
      await world.settled();
      return reply.send(out ?? { ok: true });
    } catch (e) {
      if (e instanceof GraphError) return reply.code(e.status).send({ error: e.code, message: e.message });
      throw e;
    }
  };
  app.post('/_sim/calls', async (req: Req, reply) =>
    ctl(reply, () => {
      const b = body(req) as { from?: string; to?: string; callerName?: string; reorderFirstRoster?: boolean };
      if (!b.from || !b.to) throw new GraphError(400, 'BadRequest', 'from and to are required');
      const reorder = b.reorderFirstRoster === true;
      return {
        callId: world.placeCall({ from: b.from, to: b.to, callerName: b.callerName, reorderFirstRoster: reorder }).id
      };
    })
  );
  app.get('/_sim/calls', () =>
    [...world.calls.values()].map((c) => ({
      ...world.callView(c),
      participants: c.participants,
      handedTo: c.handedTo ?? null
    }))
  );
  app.get('/_sim/calls/:id', async (req: Req, reply) => {
    const c = world.calls.get(req.params.id!);
    if (!c) return reply.code(404).send({ error: 'NotFound' });
    return { ...world.callView(c), participants: c.participants, handedTo: c.handedTo ?? null };
  });
  // B09: how a PSTN number answers when the bot calls it in: answer (default), busy, noAnswer or fail.
  app.put('/_sim/phones/:number', async (req: Req, reply) =>
    ctl(reply, () => {
      const behaviour = body(req).behaviour;
      if (behaviour !== 'answer' && behaviour !== 'busy' && behaviour !== 'noAnswer' && behaviour !== 'fail')
        throw new GraphError(400, 'BadRequest', 'behaviour must be answer, busy, noAnswer or fail');
      world.phones.set(req.params.number!, behaviour);
      return { number: req.params.number, behaviour };
    })
  );
  app.post('/_sim/calls/:id/caller-hangup', async (req: Req, reply) =>
    ctl(reply, () => world.callerHangup(req.params.id!))
  );
  app.get('/_sim/users', () => (options.users ?? DEMO_AGENTS).map((u) => world.userView(u.id)));
  app.get('/_sim/users/:user', async (req: Req, reply) => ctl(reply, () => world.userView(req.params.user!)));
  app.post('/_sim/users/:user/accept', async (req: Req, reply) =>
    ctl(reply, () => world.accept(req.params.user!, body(req).callId as string | undefined))
  );
  app.post('/_sim/users/:user/decline', async (req: Req, reply) =>
    ctl(reply, () => world.decline(req.params.user!, body(req).callId as string | undefined))
  );
  app.post('/_sim/users/:user/hangup', async (req: Req, reply) =>
    ctl(reply, () => ({ callId: world.hangupAsUser(req.params.user!, body(req).callId as string | undefined) }))
  );
  app.post('/_sim/users/:user/add-participant', async (req: Req, reply) =>
    ctl(reply, () => {
      const b = body(req) as { callId: string; target: { userId?: string; phone?: string } };
      world.addParticipantAsUser(req.params.user!, b.callId, b.target ?? {});
    })
  );
  app.post('/_sim/users/:user/transfer', async (req: Req, reply) =>
    ctl(reply, () => {
      const b = body(req) as { callId: string; target: { userId?: string; phone?: string } };
      world.transferAsUser(req.params.user!, b.callId, b.target ?? {});
    })
  );
  app.post('/_sim/users/:user/presence', async (req: Req, reply) =>
    ctl(reply, () => {
      const b = body(req) as { availability?: string; activity?: string };
      if (!b.availability) throw new GraphError(400, 'BadRequest', 'availability is required');
      world.setClientPresence(req.params.user!, {
        availability: b.availability,
        activity: b.activity ?? b.availability
      });
      return world.presence(req.params.user!);
    })
  );
  app.post('/_sim/faults', async (req: Req, reply) => {
    const b = body(req) as Partial<Fault> & { tenantMismatch?: boolean };
    const f: Fault = b.tenantMismatch
      ? { method: b.method, path: b.path, status: 403, code: '7505', times: b.times ?? 1 }
      : {
          method: b.method,
          path: b.path,
          status: b.status ?? 429,
          code: b.code,
          message: b.message,
          retryAfter: b.retryAfter ?? (b.status === 429 || b.status === undefined ? 1 : undefined),
          times: b.times ?? 1
        };
    faults.push(f);
    return reply.code(201).send(f);
  });
  app.delete('/_sim/faults', () => {
    faults.length = 0;
    return { ok: true };
  });
  app.get('/_sim/requests', () => requests);
  app.delete('/_sim/requests', () => {
    requests.length = 0;
    return { ok: true };
  });
  app.get('/_sim/notifications', () => deliveries);
  app.put('/_sim/config', (req: Req) => {
    const b = body(req) as { notificationUrl?: string; operationDelayMs?: number };
    if (b.notificationUrl) notificationUrl = b.notificationUrl;
    if (typeof b.operationDelayMs === 'number' && b.operationDelayMs >= 0) world.operationDelayMs = b.operationDelayMs;
    return { notificationUrl, operationDelayMs: world.operationDelayMs };
  });
  /** Sends any body to the relay, signed with the real key or (forged: true) with a key nobody trusts. */
  app.post('/_sim/notifications/raw', async (req: Req) => {
    const b = body(req) as { url?: string; body?: Json; forged?: boolean };
    const key = b.forged ? generateSigningKey() : webhookKey;
    return deliver(b.url ?? notificationUrl, b.body ?? {}, randomUUID(), key, !!b.forged);
  });

  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  // Keep the bound IP: 'localhost' may resolve to ::1 first, where nothing listens (the certificate names both).
  baseUrl = address.replace(/^http:/, 'https:');
  return {
    url: baseUrl,
    graphUrl: `${baseUrl}/v1.0`,
    openIdConfigurationUrl: `${baseUrl}/v1/.well-known/OpenIdConfiguration`,
    tenantId,
    botAppId,
    tls,
    world,
    requests,
    deliveries,
    async stop() {
      world.stop();
      app.server.closeAllConnections();
      await app.close();
    }
  };
}
