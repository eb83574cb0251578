/** lightning/messageService mock: publish() delivers to subscribe()d handlers of the same channel; both record. */
const handlers = new Map();

export const APPLICATION_SCOPE = Symbol('APPLICATION_SCOPE');
export const MessageContext = jest.fn();
export const createMessageContext = jest.fn(() => ({}));
export const releaseMessageContext = jest.fn();

export const publish = jest.fn((context, channel, message) => {
  for (const handler of handlers.get(channel) ?? []) handler(message);
});

export const subscribe = jest.fn((context, channel, handler) => {
  const list = handlers.get(channel) ?? [];
  list.push(handler);
  handlers.set(channel, list);
  return { channel, handler };
});

export const unsubscribe = jest.fn((subscription) => {
  const list = handlers.get(subscription?.channel) ?? [];
  handlers.set(
    subscription?.channel,
    list.filter((h) => h !== subscription?.handler)
  );
});

/** Test helper: forget every subscription. */
export const resetMessageService = () => handlers.clear();
