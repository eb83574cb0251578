/**
 * lightning/empApi mock that lets tests deliver platform events: `emit(channel, payload, replayId)` calls every
 * callback subscribed to that channel, as the platform does, with `{ data: { payload, event: { replayId } } }`.
 */
const subscriptions = new Map();
let errorHandler;

export const subscribe = jest.fn((channel, replayId, callback) => {
  const list = subscriptions.get(channel) ?? [];
  const subscription = { id: `${channel}:${list.length}`, channel, replayId, callback };
  list.push(subscription);
  subscriptions.set(channel, list);
  return Promise.resolve(subscription);
});

export const unsubscribe = jest.fn((subscription, callback) => {
  const list = subscriptions.get(subscription?.channel) ?? [];
  subscriptions.set(
    subscription?.channel,
    list.filter((s) => s.id !== subscription?.id)
  );
  if (callback) callback({ successful: true });
  return Promise.resolve(true);
});

export const onError = jest.fn((handler) => {
  errorHandler = handler;
});
export const setDebugFlag = jest.fn(() => Promise.resolve());
export const isEmpEnabled = jest.fn(() => Promise.resolve(true));

/** Test helper: deliver a platform event to the subscribers of `channel`. */
export function emit(channel, payload, replayId = 1) {
  for (const s of subscriptions.get(channel) ?? []) {
    s.callback({ channel, data: { payload, event: { replayId } } });
  }
}

/** Test helper: raise a streaming error as the platform would. */
export function raiseError(error) {
  if (errorHandler) errorHandler(error);
}

/** Test helper: forget every subscription (call in afterEach). */
export function reset() {
  subscriptions.clear();
  errorHandler = undefined;
}
