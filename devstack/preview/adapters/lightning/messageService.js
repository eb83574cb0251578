/** lightning/messageService for the preview: Lightning Message Service as an in-page publish/subscribe. */
export const APPLICATION_SCOPE = Symbol('APPLICATION_SCOPE');

/** @type {Map<string, Set<{handler: Function, context: any}>>} */
const handlers = new Map();

const channelKey = (channel) => channel?.messageChannel ?? String(channel);

export class MessageContext {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }
  connect() {
    this.dataCallback(createMessageContext());
  }
  disconnect() {}
  update() {}
}

export function createMessageContext() {
  return { isReleased: false };
}

export function releaseMessageContext(context) {
  if (!context) return;
  context.isReleased = true;
  for (const set of handlers.values()) for (const entry of set) if (entry.context === context) set.delete(entry);
}

export function publish(_context, channel, message) {
  for (const entry of [...(handlers.get(channelKey(channel)) ?? [])]) {
    try {
      entry.handler(message);
    } catch (error) {
      console.error('messageService subscriber failed', error);
    }
  }
}

export function subscribe(context, channel, handler) {
  const key = channelKey(channel);
  const entry = { handler, context };
  const set = handlers.get(key) ?? new Set();
  set.add(entry);
  handlers.set(key, set);
  return { key, entry };
}

export function unsubscribe(subscription) {
  handlers.get(subscription?.key)?.delete(subscription?.entry);
}

// The frame publishes too (a "click to dial" demo), without importing the bundle's module graph.
globalThis.__teamsPreviewMessages = { publish: (channelName, message) => publish(null, channelName, message) };
