import type { Clock } from '../../ports/clock.port.ts';
import type { EventPublisher } from '../../ports/event-publisher.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { OutboxDrain } from '../workers/outbox-drain.ts';
import type { InMemoryWorldStore } from './in-memory-world-store.ts';

/**
 * CallRelay's `deliverOutbox` for tests and the benchmark: the production `OutboxDrain` over the in-memory store,
 * run to completion on each call (production wakes the drain loop instead). No jitter, so backoffs are exact.
 */
export function inMemoryOutboxDelivery(ports: {
  store: InMemoryWorldStore;
  publisher: EventPublisher;
  clock: Clock;
  logger: Logger;
}): () => Promise<void> {
  const drain = new OutboxDrain({ ...ports, delivery: ports.store, random: () => 1 });
  return () => drain.drain().then(() => undefined);
}
