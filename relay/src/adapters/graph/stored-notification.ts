/**
 * Reads an inbox row written by the calling webhook (`StoredNotification`) back into engine inputs, and a raw
 * `commsNotifications` capture for the support CLI. One entry per notification item: the input, or why none.
 */
import type { Input } from '../../domain/model.ts';
import type { InboxItem } from '../../ports/delivery-store.port.ts';
import { mapNotificationItems, type MapContext } from './notification-mapper.ts';
import { parseCommsNotifications, type GraphIdentity } from './notification-parser.ts';

/**
 * One notification item: the engine input, or why it carries none. The same shape as the inbox processor's
 * `DecodedItem`, spelled out here because an adapter importing the app layer as well would break the layer rule.
 */
export type DecodedItem = { callId?: string; input: Input } | { callId?: string; skipped: string };

/** The body stored per inbox row: one notification, with the tenant the token vouched for. */
export interface StoredNotification {
  tenantId: string;
  receivedAt: string;
  body: { value: unknown[] };
}

/**
 * A `phone` identity is the dialled number itself; a resource account (`applicationInstance`) is looked up in
 * `resourceAccounts` (object id, lower case → E.164). Anything else is not one of our lines.
 */
export function dialledNumberResolver(
  resourceAccounts: Record<string, string>
): (dialled: GraphIdentity | undefined) => string | undefined {
  return (dialled) => {
    if (!dialled?.id) return undefined;
    if (dialled.kind === 'phone') return dialled.id;
    if (dialled.kind === 'applicationInstance') return resourceAccounts[dialled.id.toLowerCase()];
    return undefined;
  };
}

/** Decodes a raw Graph body; throws with the parser's reason when it is not `commsNotifications` at all. */
export function decodeNotifications(body: unknown, context: MapContext): DecodedItem[] {
  const parsed = parseCommsNotifications(body);
  if (!parsed.ok) throw new Error(`${parsed.error.reason}: ${parsed.error.detail}`);
  return mapNotificationItems(parsed.items, context).map((mapped) => {
    const callId = mapped.callId === undefined ? {} : { callId: mapped.callId };
    return 'input' in mapped ? { ...callId, input: mapped.input } : { ...callId, skipped: mapped.skipped };
  });
}

/** The inbox processor's decoder for rows the calling webhook stored. */
export function inboxDecoder(dialledNumberFor: MapContext['dialledNumberFor']): (item: InboxItem) => DecodedItem[] {
  return (item) => {
    const stored = JSON.parse(item.body) as Partial<StoredNotification>;
    if (typeof stored.tenantId !== 'string' || !stored.body) throw new Error('inbox row is not a stored notification');
    return decodeNotifications(stored.body, {
      receivedAt: stored.receivedAt ?? item.receivedAt,
      tenantId: stored.tenantId,
      dialledNumberFor
    });
  };
}
