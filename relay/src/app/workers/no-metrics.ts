import type { RelayMetrics } from '../../ports/metrics.port.ts';

/** The default when nobody collects metrics: every observation is dropped. */
export const NO_METRICS: RelayMetrics = {
  inboxItem: () => undefined,
  ringPathObserved: () => undefined,
  effect: () => undefined,
  outboxBatchPublished: () => undefined,
  outboxDelivered: () => undefined,
  outboxRetried: () => undefined,
  outboxDeadLettered: () => undefined,
  commandRefused: () => undefined
};
