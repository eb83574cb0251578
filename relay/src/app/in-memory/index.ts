export { InMemoryCallControl } from './in-memory-call-control.ts';
export { InMemoryEventPublisher } from './in-memory-event-publisher.ts';
export { InMemoryPresenceGateway } from './in-memory-presence-gateway.ts';
export { ManualClock, ManualTimerScheduler, MemoryLogger, StaticConfigSource } from './in-memory-support.ts';
export type { LogLine } from './in-memory-support.ts';
export { InMemoryWorldStore } from './in-memory-world-store.ts';
export { InMemoryMetrics } from './in-memory-metrics.ts';
export { inMemoryOutboxDelivery } from './in-memory-outbox-delivery.ts';
