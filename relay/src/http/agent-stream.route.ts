/**
 * The agent stream (B10): `GET /api/agent-stream` sends one agent their own call and presence events as
 * Server-Sent Events, straight from the relay — no platform-event delivery to browsers (docs/decisions.md says why
 * SSE over WebSocket). The softphone reads it with `fetch` so that its token travels in the `Authorization`
 * header, never in a URL (URLs end up in logs).
 *
 * - Auth: `Authorization: Bearer <stream token>` (a JWT Apex signs for the running user with the org's certificate,
 *   `adapters/salesforce/stream-token.ts`); verified before anything is
 *   written; 401 otherwise (logged with the reason, never the token). The stream ends with `event: expired` when
 *   the token does, and the browser reconnects with a new one.
 * - Browsers: only origins in `allowedOrigins` (the org's Lightning domains) may read it (CORS, with preflight).
 * - Resume: `Last-Event-ID` replays what the agent missed; when the feed cannot (relay restarted, too old), the
 *   stream starts with `event: reset` and the softphone restores from Salesforce first (B02).
 * - Liveness: a comment line every `heartbeatMs`, so a dead connection is noticed within seconds on both sides.
 * - Memory: a browser that does not read is disconnected once `maxBufferedBytes` are queued for it; it resumes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentFeed, AgentFeedItem } from '../ports/agent-feed.port.ts';
import type { Logger } from '../ports/logger.port.ts';

export interface StreamTokenCheck {
  verify(
    token: string | undefined
  ): Promise<{ ok: true; userId: string; expiresAtMs: number } | { ok: false; reason: string }>;
}

export interface AgentStreamDeps {
  feed: AgentFeed;
  tokens: StreamTokenCheck;
  /** Browser origins allowed to read the stream, e.g. `https://acme.lightning.force.com`. */
  allowedOrigins: readonly string[];
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  log?: Logger;
  now?: () => number;
  path?: string;
}

export const AGENT_STREAM_PATH = '/api/agent-stream';

const CORS_ALLOWED_HEADERS = 'authorization, last-event-id';

function frame(item: AgentFeedItem): string {
  const kind = item.event.Kind__c === 'Presence' ? 'presence' : 'call';
  return `id: ${item.id}\nevent: ${kind}\ndata: ${JSON.stringify(item.event)}\n\n`;
}

export function registerAgentStream(app: FastifyInstance, deps: AgentStreamDeps): void {
  const path = deps.path ?? AGENT_STREAM_PATH;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxBufferedBytes = deps.maxBufferedBytes ?? 256 * 1024;
  const now = deps.now ?? (() => Date.now());
  const allowed = new Set(deps.allowedOrigins.map((o) => o.replace(/\/+$/, '')));

  /** A browser request from an origin we do not serve is refused; a request with no Origin is not a browser's. */
  const originOf = (request: FastifyRequest): { ok: boolean; origin?: string } => {
    const origin = request.headers.origin;
    if (origin === undefined) return { ok: true };
    return allowed.has(origin) ? { ok: true, origin } : { ok: false };
  };

  app.options(path, (request, reply) => {
    const { ok, origin } = originOf(request);
    if (!ok || !origin) return reply.code(403).send({ error: 'origin not allowed' });
    return reply
      .code(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', 'GET')
      .header('access-control-allow-headers', CORS_ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .header('vary', 'Origin')
      .send();
  });

  app.get(path, async (request: FastifyRequest, reply: FastifyReply) => {
    const { ok: originOk, origin } = originOf(request);
    if (!originOk) return reply.code(403).send({ error: 'origin not allowed' });
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const identity = await deps.tokens.verify(token);
    if (!identity.ok) {
      deps.log?.warn('agent stream refused', { reason: identity.reason, ip: request.ip });
      const refused = reply.code(401).header('www-authenticate', 'Bearer');
      if (origin) refused.header('access-control-allow-origin', origin).header('vary', 'Origin');
      return refused.send({ error: 'invalid stream token', reason: identity.reason });
    }
    const lastEventIdHeader = request.headers['last-event-id'];
    const lastEventId = typeof lastEventIdHeader === 'string' && lastEventIdHeader ? lastEventIdHeader : null;

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(origin && { 'access-control-allow-origin': origin, vary: 'Origin' })
    });

    let closed = false;
    const send = (text: string): void => {
      if (closed) return;
      raw.write(text);
      if (raw.writableLength > maxBufferedBytes) {
        deps.log?.warn('agent stream too slow: closed', { agentUserId: identity.userId, queued: raw.writableLength });
        close();
        raw.destroy();
      }
    };
    const subscription = deps.feed.subscribe(identity.userId, lastEventId, (item) => send(frame(item)));
    const heartbeat = setInterval(() => send(`: ping\n\n`), heartbeatMs);
    const expiry = setTimeout(
      () => {
        send(`event: expired\ndata: {}\n\n`);
        close();
        raw.end();
      },
      Math.max(0, identity.expiresAtMs - now())
    );
    heartbeat.unref();
    expiry.unref();
    function close(): void {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(expiry);
      subscription.close();
    }
    raw.on('close', close);

    send(`retry: 2000\n\n`);
    if (lastEventId !== null && subscription.backlog === null) send(`event: reset\ndata: {}\n\n`);
    for (const item of subscription.backlog ?? []) send(frame(item));
    deps.log?.debug?.('agent stream opened', { agentUserId: identity.userId, resumed: lastEventId !== null });
  });
}
