export type { CallControl } from './call-control.port.ts';
export type { Clock } from './clock.port.ts';
export type { ConfigSource } from './config-source.port.ts';
export type { EventPublisher, PublishResult } from './event-publisher.port.ts';
export type { Logger } from './logger.port.ts';
export type { PresenceGateway } from './presence-gateway.port.ts';
export type { TimerScheduler } from './timer-scheduler.port.ts';
export type { Commit, OutboxRow, PendingEffect, WorldDelta, WorldStore } from './world-store.port.ts';
export type { DeadLetter, DeliveryStore, InboxItem } from './delivery-store.port.ts';
