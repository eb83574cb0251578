import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type { World } from '../../domain/model.ts';
import type { Commit, OutboxRow, PendingEffect, WorldStore } from '../../ports/world-store.port.ts';

/**
 * A WorldStore in memory. Each commit is applied as a whole (deep copies, so later mutation by the caller cannot leak
 * in), which is the atomicity contract the SQLite store gives with one transaction. Survives a simulated crash:
 * tests build a new CallRelay on the same instance.
 */
export class InMemoryWorldStore implements WorldStore {
  private world: World | undefined;
  private readonly outbox = new Map<string, OutboxRow>();
  private readonly effects = new Map<string, PendingEffect>();
  /** Every commit and every event written, in order, for assertions (off for long runs such as the benchmark). */
  readonly commits: Commit[] = [];
  readonly written: TeamsCallEvent[] = [];

  constructor(private readonly keepHistory = true) {}

  load(): Promise<World | undefined> {
    return Promise.resolve(this.world === undefined ? undefined : structuredClone(this.world));
  }

  commit(commit: Commit): Promise<void> {
    // Apply the delta like a row-per-call store would; the full world is only copied on the first commit.
    const { world: _whole, ...rest } = commit;
    const copy = structuredClone(rest);
    const delta = copy.delta;
    if (this.world === undefined || delta === undefined) {
      this.world = structuredClone(commit.world);
    } else {
      const calls = { ...this.world.calls };
      const ended =
        delta.calls.some((c) => c.phase === 'Ended') || delta.removedCallIds.length > 0
          ? { ...(this.world.ended ?? {}) }
          : (this.world.ended ?? {});
      for (const call of delta.calls) {
        if (call.phase === 'Ended') {
          delete calls[call.callId];
          ended[call.callId] = call;
        } else {
          calls[call.callId] = call;
        }
      }
      for (const id of delta.removedCallIds) {
        delete calls[id];
        delete ended[id];
      }
      const agents = { ...this.world.agents };
      for (const agent of delta.agents) agents[agent.salesforceUserId] = agent;
      const timers = { ...this.world.timers };
      for (const timer of copy.timersScheduled) timers[timer.timerId] = timer;
      for (const id of copy.timersCancelled) delete timers[id];
      this.world = {
        config: delta.config ?? this.world.config,
        calls,
        ended,
        agents,
        timers,
        applied: delta.applied ?? this.world.applied,
        ...(commit.world.prunedAt !== undefined ? { prunedAt: commit.world.prunedAt } : {})
      };
    }
    for (const event of copy.outbox) {
      // An event id already in the outbox is the same event (ids are deterministic): keep one row.
      if (!this.outbox.has(event.EventId__c))
        this.outbox.set(event.EventId__c, { event, attempts: 0, nextAttemptAt: '' });
      if (this.keepHistory) this.written.push(event);
    }
    for (const effect of copy.effects) this.effects.set(effect.effectKey, effect);
    if (this.keepHistory) this.commits.push({ ...copy, world: structuredClone(commit.world) });
    return Promise.resolve();
  }

  pendingOutbox(now: string, limit: number): Promise<OutboxRow[]> {
    return Promise.resolve(
      [...this.outbox.values()]
        .filter((row) => row.nextAttemptAt <= now)
        .slice(0, limit)
        .map((row) => structuredClone(row))
    );
  }

  deleteOutbox(eventIds: string[]): Promise<void> {
    for (const id of eventIds) this.outbox.delete(id);
    return Promise.resolve();
  }

  recordOutboxFailure(eventId: string, error: string, nextAttemptAt: string): Promise<void> {
    const row = this.outbox.get(eventId);
    if (row) this.outbox.set(eventId, { ...row, attempts: row.attempts + 1, lastError: error, nextAttemptAt });
    return Promise.resolve();
  }

  pendingEffects(): Promise<PendingEffect[]> {
    return Promise.resolve([...this.effects.values()].map((e) => structuredClone(e)));
  }

  markEffectDone(effectKey: string): Promise<void> {
    this.effects.delete(effectKey);
    return Promise.resolve();
  }

  /** Events Salesforce refused as invalid, with the error (what the SQLite store keeps in its dead-letter table). */
  readonly deadLetters: { eventId: string; error: string }[] = [];

  deadLetter(eventId: string, error: string): Promise<void> {
    if (this.outbox.delete(eventId)) this.deadLetters.push({ eventId, error });
    return Promise.resolve();
  }

  /** Rows still waiting for Salesforce. */
  outboxSize(): number {
    return this.outbox.size;
  }
}
