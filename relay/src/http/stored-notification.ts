/**
 * Reads an inbox row written by the calling webhook (`StoredNotification`) back into engine inputs, and a raw
 * `commsNotifications` capture for the support CLI. One entry per notification item: the input, or why none.
 */
import { mapNotificationItems, type MapContext } from '../adapters/graph/notification-mapper.ts';
import { parseCommsNotifications, type GraphIdentity } from '../adapters/graph/notification-parser.ts';
import type { DecodedItem } from '../app/workers/inbox-processor.ts';
import type { InboxItem } from '../ports/delivery-store.port.ts';
import type { StoredNotification } from './calling-webhook.route.ts';

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
