/**
 * The Graph calling webhook (graph-calls.md §2.1, §4, §11): authenticate, validate, persist each notification to
 * the inbox, answer 202 fast. Processing happens later from the store. Nothing is stored for a request that fails
 * authentication (401/403), a body that is not `commsNotifications` (400) or a callback with a wrong per-call token.
 *
 * Bad input is cheap to refuse: the token is checked from the headers in an `onRequest` hook, before the body is
 * read; only `application/json` is parsed (anything else 415), with a size cap and a nesting-depth cap checked
 * before `JSON.parse` (400), so an unauthenticated or hostile body never costs the ring path.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as prom from 'prom-client';
import type { Registry } from 'prom-client';
import { deduplicationKey, parseCommsNotifications } from '../adapters/graph/notification-parser.ts';
import type { StoredNotification } from '../adapters/graph/stored-notification.ts';
import type { CallbackTokens, WebhookAuthResult } from '../adapters/graph/webhook-auth.ts';
import type { InboxItem } from '../ports/delivery-store.port.ts';
import type { Logger } from '../ports/logger.port.ts';

export interface CallingWebhookDeps {
  authenticator: { authenticate(header: string | undefined): Promise<WebhookAuthResult> };
  callbackTokens: CallbackTokens;
  inbox: { addToInbox(item: InboxItem): Promise<boolean> };
  /** Wakes the inbox processor after new items were stored. */
  onStored?: () => void;
  log?: Logger;
  registry?: Registry;
  now?: () => Date;
  /** Global webhook path configured on the Azure Bot; per-call callbacks live at `<path>/callback`. */
  path?: string;
  /**
   * True once the relay has handed Graph a per-call callbackUri for the call (answer, redirect): from then on
   * its notifications must come to that callback with its token, not to the global URL.
   */
  hasCallback?: (callId: string) => boolean;
  /** Largest accepted body (bytes); Graph's notifications are a few KB. */
  bodyLimitBytes?: number;
}

/** Graph's notifications nest about 10 levels; anything far deeper is hostile. */
export const MAX_JSON_DEPTH = 32;

/** Largest nesting depth of a JSON text (brackets outside strings), stopping as soon as it exceeds `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

class BadBody extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    callingAuth?: Extract<WebhookAuthResult, { ok: true }>;
  }
}

export function registerCallingWebhook(app: FastifyInstance, deps: CallingWebhookDeps): void {
  const path = deps.path ?? '/api/calling';
  const registers = deps.registry ? [deps.registry] : [];
  const received = new prom.Counter({
    name: 'relay_webhook_notifications_total',
    help: 'Calling notification items received, by outcome (stored, duplicate, unknown).',
    labelNames: ['outcome'],
    registers
  });
  const rejected = new prom.Counter({
    name: 'relay_webhook_rejected_total',
    help: 'Calling webhook requests rejected before anything was stored, by reason.',
    labelNames: ['reason'],
    registers
  });

  /** Runs before the body is read: an unauthenticated request costs one header check. */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await deps.authenticator.authenticate(request.headers.authorization);
    if (!auth.ok) {
      rejected.inc({ reason: auth.reason });
      deps.log?.warn('calling webhook rejected', { reason: auth.reason, status: auth.status });
      return reply.code(auth.status).send({ error: auth.reason });
    }
    request.callingAuth = auth;
    return undefined;
  };

  const handler = (perCall: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = request.callingAuth;
    if (!auth) return reply.code(401).send({ error: 'missing-token' });
    const parsed = parseCommsNotifications(request.body);
    if (!parsed.ok) {
      rejected.inc({ reason: parsed.error.reason });
      return reply.code(400).send({ error: parsed.error.reason, detail: parsed.error.detail });
    }
    const raw = (request.body as { value: unknown[] }).value;
    if (perCall) {
      const token = (request.query as { k?: unknown }).k;
      const wrong = parsed.items.find(
        (item) =>
          item.kind !== 'unknown' &&
          !deps.callbackTokens.verify(item.callId, typeof token === 'string' ? token : undefined)
      );
      if (wrong) {
        rejected.inc({ reason: 'bad-callback-token' });
        deps.log?.warn('callback token does not match the call', { callId: wrong.callId });
        return reply.code(403).send({ error: 'bad-callback-token' });
      }
    }
    if (!perCall && deps.hasCallback) {
      const misplaced = parsed.items.find(
        (item) => item.kind !== 'unknown' && item.kind !== 'incomingCall' && deps.hasCallback!(item.callId)
      );
      if (misplaced) {
        // Graph sends a call's notifications to the callbackUri the relay gave it; the global URL carries no token.
        rejected.inc({ reason: 'callback-token-required' });
        deps.log?.warn('notification for a call with a callback arrived on the global URL', {
          callId: misplaced.callId
        });
        return reply.code(403).send({ error: 'callback-token-required' });
      }
    }
    const foreign = parsed.items.find(
      (item) =>
        item.kind === 'incomingCall' && item.tenantId && item.tenantId.toLowerCase() !== auth.tenantId.toLowerCase()
    );
    if (foreign) {
      rejected.inc({ reason: 'tenant-mismatch' });
      return reply.code(403).send({ error: 'tenant-mismatch' });
    }

    const receivedAt = (deps.now?.() ?? new Date()).toISOString();
    let stored = 0;
    let duplicates = 0;
    let ignored = 0;
    for (const item of parsed.items) {
      if (item.kind === 'unknown') {
        ignored += 1;
        received.inc({ outcome: 'unknown' });
        deps.log?.warn('unknown calling notification ignored', { callId: item.callId, reason: item.reason });
        continue;
      }
      const body: StoredNotification = { tenantId: auth.tenantId, receivedAt, body: { value: [raw[item.index]] } };
      const added = await deps.inbox.addToInbox({
        key: `graph:${deduplicationKey(item)}`,
        body: JSON.stringify(body),
        receivedAt
      });
      if (added) stored += 1;
      else duplicates += 1;
      received.inc({ outcome: added ? 'stored' : 'duplicate' });
    }
    if (stored > 0) deps.onStored?.();
    return reply.code(202).send({ stored, duplicates, ignored });
  };

  void app.register((scope, _options, registered) => {
    // Only JSON is accepted here (fastify answers 415 for any other content type), parsed with caps.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = String(body);
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
        rejected.inc({ reason: 'too-deep' });
        return done(new BadBody('too-deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      }
      try {
        return done(null, JSON.parse(text) as unknown);
      } catch {
        rejected.inc({ reason: 'malformed-json' });
        return done(new BadBody('malformed-json', 'body is not JSON'), undefined);
      }
    });
    const options = {
      onRequest: authenticate,
      bodyLimit: deps.bodyLimitBytes ?? 256 * 1024
    };
    scope.post(path, options, handler(false));
    scope.post(`${path}/callback`, options, handler(true));
    registered();
  });
}
