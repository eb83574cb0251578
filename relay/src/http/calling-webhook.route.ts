/**
 * The Graph calling webhook (graph-calls.md §2.1, §4, §11): authenticate, validate, persist each notification to
 * the inbox, answer 202 fast. Processing happens later from the store. Nothing is stored for a request that fails
 * authentication (401/403), a body that is not `commsNotifications` (400) or a callback with a wrong per-call token.
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

  const handler = (perCall: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = await deps.authenticator.authenticate(request.headers.authorization);
    if (!auth.ok) {
      rejected.inc({ reason: auth.reason });
      deps.log?.warn('calling webhook rejected', { reason: auth.reason, status: auth.status });
      return reply.code(auth.status).send({ error: auth.reason });
    }
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

  app.post(path, handler(false));
  app.post(`${path}/callback`, handler(true));
}
