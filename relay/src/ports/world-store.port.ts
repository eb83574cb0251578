import type { TeamsCallEvent } from '../domain/call-event.ts';
import type { ConfigSnapshot } from '../domain/config.ts';
import type { AgentState, CallSession, Effect, TimerEntry, World } from '../domain/model.ts';

/** An event waiting for Salesforce's confirmation (B01: deleted only on a final success). */
export interface OutboxRow {
  event: TeamsCallEvent;
  attempts: number;
  /** ISO-8601; the publisher skips the row until then (backoff). */
  nextAttemptAt: string;
  lastError?: string;
}

/** A Graph/presence effect decided but not yet confirmed executed; replayed after a crash. */
export interface PendingEffect {
  /** `<input key>#<index>`: stable across replays of the same decision. */
  effectKey: string;
  effect: Effect;
}

/**
 * What changed in this step (the engine copies on write, so changed objects are new objects). A row-per-call store
 * upserts these instead of rewriting the whole world; `world` is there for stores that keep one document.
 */
export interface WorldDelta {
  calls: CallSession[];
  removedCallIds: string[];
  agents: AgentState[];
  /** Present only when the config snapshot changed. */
  config?: ConfigSnapshot;
  /** The world-level idempotency keys (bounded list), present only when they changed. */
  applied?: string[];
}

/** What one engine step writes, atomically. */
export interface Commit {
  /** The whole new world. Do not mutate; a store that keeps it must copy (or serialize) it. */
  world: World;
  /** Always set by CallRelay; optional so a store may ignore it and persist `world` whole. */
  delta?: WorldDelta;
  /** The input's idempotency key (for audit/diagnostics). */
  inputKey: string;
  outbox: TeamsCallEvent[];
  effects: PendingEffect[];
  timersScheduled: TimerEntry[];
  /** Timers the world no longer holds (cancelled or fired). */
  timersCancelled: string[];
}

/**
 * Durable storage of the engine's world, the event outbox and pending effects (SQLite by default).
 * `commit` must be one transaction: world + outbox rows + pending effects + timers, all or nothing.
 * Calls are serialized by the app (one step at a time), so implementations need no optimistic locking.
 */
export interface WorldStore {
  /** The last committed world, or undefined on first start. */
  load(): Promise<World | undefined>;
  commit(commit: Commit): Promise<void>;
  /** Rows due at `now` (nextAttemptAt ≤ now), oldest first; the Salesforce publisher drains these. */
  pendingOutbox(now: string, limit: number): Promise<OutboxRow[]>;
  deleteOutbox(eventIds: string[]): Promise<void>;
  recordOutboxFailure(eventId: string, error: string, nextAttemptAt: string): Promise<void>;
  /** Effects committed but not yet marked done (after a crash), in commit order. */
  pendingEffects(): Promise<PendingEffect[]>;
  markEffectDone(effectKey: string): Promise<void>;
}
