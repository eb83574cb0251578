/**
 * The relay's one use case: feed an input to the engine, persist the new world with its outbox and pending effects
 * in one store transaction, then execute the effects through the ports — Graph call control and the Salesforce
 * publish in parallel (the ring path's only two round trips) — and feed failures back to the engine.
 */
import { decide, emptyWorld, inputKey } from '../domain/decide.ts';
import type { CallSession, Effect, Input, TimerEntry, World } from '../domain/model.ts';
import { describeCallEvent } from '../domain/narrate.ts';
import type { AgentFeed } from '../ports/agent-feed.port.ts';
import type { CallControl } from '../ports/call-control.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { ConfigSource } from '../ports/config-source.port.ts';
import type { Logger } from '../ports/logger.port.ts';
import type { PresenceGateway } from '../ports/presence-gateway.port.ts';
import type { TimerScheduler } from '../ports/timer-scheduler.port.ts';
import type { PendingEffect, WorldDelta, WorldStore } from '../ports/world-store.port.ts';

export interface CallRelayPorts {
  store: WorldStore;
  callControl: CallControl;
  presence: PresenceGateway;
  /**
   * Delivers what the outbox holds (the `OutboxDrain` worker: per-call order, backoff, dead letters). Called after
   * each commit that wrote events; the relay waits for it so that invite and publish leave together.
   */
  deliverOutbox: () => Promise<void>;
  /** B10: each committed event also goes straight to its agent's open streams (no Salesforce round trip). */
  agentFeed?: AgentFeed;
  config: ConfigSource;
  clock: Clock;
  timers: TimerScheduler;
  logger: Logger;
}

export interface HandleResult {
  /** False when the engine ignored the input (duplicate, stale, unknown call). */
  applied: boolean;
  effects: Effect[];
}

export class CallRelay {
  private world: World;
  /** Decisions and their commits are applied one at a time: the engine's world has a single writer. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * B15: each call's inputs run one after another, end to end (decision, commit, effects, follow-ups); different
   * calls run concurrently, so no step waits for another call's Graph or Salesforce round trip.
   */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private draining: Promise<void> | undefined;
  private nextDrain: Promise<void> | undefined;

  private constructor(
    private readonly ports: CallRelayPorts,
    world: World
  ) {
    this.world = world;
  }

  /**
   * Load the last world (or start empty with a fresh config), re-arm its timers and finish effects a crash left
   * pending. Resolves once recovery ran, so the caller can start accepting webhooks.
   */
  static async start(ports: CallRelayPorts): Promise<CallRelay> {
    const stored = await ports.store.load();
    const relay = new CallRelay(ports, stored ?? emptyWorld(await ports.config.load()));
    for (const timer of Object.values(relay.world.timers)) relay.arm(timer);
    await relay.recover();
    return relay;
  }

  /** The current world (read-only use: health checks, tests). */
  snapshot(): World {
    return this.world;
  }

  /** Apply one input end to end. Failures of Graph effects come back as `EffectFailed` inputs before this resolves. */
  handle(input: Input): Promise<HandleResult> {
    return this.inLane(this.laneOf(input), () => this.run(input));
  }

  /** Within the input's lane: decide and commit under the world lock, then the round trips outside it. */
  private async run(input: Input): Promise<HandleResult> {
    const { result, roundTrips } = await this.serialize(() => this.step(input));
    const followUps = await roundTrips;
    for (const next of followUps) await this.run(next);
    return result;
  }

  /** The call an input concerns ('' for inputs about no call: presence, config, agent timers). */
  private laneOf(input: Input): string {
    if (input.type === 'TimerFired') return this.world.timers[input.timerId]?.callId ?? '';
    if (input.type === 'CommandReceived') return input.command.TeamsCallId__c || '';
    if (input.type === 'EffectFailed') return ('callId' in input.effect ? input.effect.callId : undefined) ?? '';
    return ('callId' in input ? input.callId : undefined) ?? '';
  }

  private inLane<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (this.lanes.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    this.lanes.set(key, tail);
    void tail.then(() => {
      if (this.lanes.get(key) === tail) this.lanes.delete(key);
    });
    return run;
  }

  /**
   * Hand the outbox to its delivery. Concurrent calls share one delivery (so the events of concurrent steps go in
   * one batch); a call made while one is in flight gets the one right after it, which sees its rows.
   */
  drainOutbox(): Promise<void> {
    if (!this.draining) {
      this.draining = this.ports.deliverOutbox().finally(() => {
        this.draining = undefined;
      });
      return this.draining;
    }
    this.nextDrain ??= this.draining
      .catch(() => undefined)
      .then(() => {
        this.nextDrain = undefined;
        return this.drainOutbox();
      });
    return this.nextDrain;
  }

  /** Execute effects committed before a crash and never confirmed done (at least once; adapters check call state). */
  async recover(): Promise<void> {
    const pending = await this.ports.store.pendingEffects();
    if (pending.length === 0) return;
    this.ports.logger.warn('replaying effects left pending by a previous run', { count: pending.length });
    const followUps = await this.execute(pending);
    await Promise.all(followUps.map((next) => this.handle(next)));
    await this.drainOutbox();
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Decide and commit (under the world lock); `roundTrips` runs the effects and the publish after it. */
  private async step(input: Input): Promise<{ result: HandleResult; roundTrips: Promise<Input[]> }> {
    // B15: this relay is its world's only writer, so the step writes into it in place (its cost does not grow with
    // the calls held) and is rolled back if the commit fails.
    const decision = decide(this.world, input, { inPlace: true });
    if (!decision.applied) return { result: { applied: false, effects: [] }, roundTrips: Promise.resolve([]) };
    const key = inputKey(input);
    const outbox = decision.effects.flatMap((e) => (e.type === 'PublishCallEvent' ? [e.event] : []));
    const timersScheduled = decision.effects.flatMap((e) => (e.type === 'ScheduleTimer' ? [e.timer] : []));
    // Cancelled and fired timers alike: every timer the new world no longer holds (the engine names them).
    const timersCancelled = decision.timersRemoved ?? [];
    const pending: PendingEffect[] = decision.effects
      .map((effect, index) => ({ effectKey: `${key}#${index}`, effect }))
      .filter(({ effect }) => isExecutable(effect));
    const delta = deltaOf(this.world, decision.world, decision.touched);
    try {
      await this.ports.store.commit({
        world: decision.world,
        delta,
        inputKey: key,
        outbox,
        effects: pending,
        timersScheduled,
        timersCancelled
      });
    } catch (error) {
      decision.rollback?.();
      throw error;
    }
    this.world = decision.world;
    if (outbox.length > 0) this.ports.agentFeed?.publish(outbox);

    for (const effect of decision.effects) {
      if (effect.type === 'Log') this.log(effect);
      if (effect.type !== 'PublishCallEvent') continue;
      const sentence = describeCallEvent(effect.event);
      if (sentence) this.ports.logger.info(sentence, { callId: effect.event.TeamsCallId__c });
    }
    for (const timerId of timersCancelled) this.ports.timers.cancel(timerId);
    for (const timer of timersScheduled) this.arm(timer);

    // Graph effects and the Salesforce publish leave together: neither waits for the other. Started here, awaited
    // outside the world lock, so other calls' steps go on meanwhile.
    const roundTrips = Promise.all([
      this.execute(pending),
      outbox.length > 0 ? this.drainOutbox() : Promise.resolve()
    ]).then(([followUps]) => followUps);
    return { result: { applied: true, effects: decision.effects }, roundTrips };
  }

  /** Run effects in decision order (answer before invite on the same call); failures become inputs. */
  private async execute(pending: PendingEffect[]): Promise<Input[]> {
    const followUps: Input[] = [];
    for (const { effectKey, effect } of pending) {
      try {
        if (effect.type === 'ReloadConfig') {
          const config = await this.ports.config.load();
          followUps.push({ type: 'ConfigReloaded', config, at: this.ports.clock.now() });
        } else {
          const next = await this.perform(effect);
          if (next) followUps.push(next);
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.ports.logger.warn('effect failed', {
          effect: effect.type,
          callId: 'callId' in effect ? effect.callId : undefined,
          error: message
        });
        if (effect.type !== 'ReloadConfig') {
          // The port's contract: a throttled request (not executed) says when it may be sent again.
          const retryAfterMs = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
          followUps.push({
            type: 'EffectFailed',
            effect,
            error: message,
            at: this.ports.clock.now(),
            key: `EffectFailed:${effectKey}`,
            ...(typeof retryAfterMs === 'number' && { retryAfterMs })
          });
        }
      }
      await this.ports.store.markEffectDone(effectKey);
    }
    return followUps;
  }

  private perform(effect: Effect): Promise<void | Input> {
    const { callControl, presence } = this.ports;
    switch (effect.type) {
      case 'PlaceCall': // B09: Graph names the call; that comes back as an input
        if (!callControl.placeCall) return Promise.reject(new Error('outbound calls are not supported'));
        return callControl.placeCall(effect).then((placed) => ({
          type: 'CallPlaced' as const,
          dialId: effect.callId,
          ...placed,
          at: this.ports.clock.now()
        }));
      case 'InviteNumber':
        return callControl.inviteNumber?.(effect) ?? Promise.reject(new Error('outbound calls are not supported'));
      case 'AnswerCall':
        return callControl.answer(effect);
      case 'InviteAgent':
        return callControl.inviteAgent(effect);
      case 'CancelInvite':
        return callControl.cancelInvite(effect);
      case 'RemoveParticipant':
        return callControl.removeParticipant(effect);
      case 'StartHoldMusic':
        return callControl.startHoldMusic(effect);
      case 'StopHoldMusic':
        return callControl.stopHoldMusic(effect);
      case 'Transfer':
        return callControl.transfer(effect);
      case 'Redirect':
        return callControl.redirect(effect);
      case 'HangUp':
        return callControl.hangUp(effect);
      case 'SetPresence':
        return presence.setPresence(effect);
      case 'ClearPresence':
        return presence.clearPresence(effect);
      default:
        return Promise.resolve();
    }
  }

  private arm(timer: TimerEntry): void {
    this.ports.timers.schedule(timer.timerId, timer.at, (timerId) => {
      this.handle({ type: 'TimerFired', timerId, at: this.ports.clock.now() }).catch((error: unknown) =>
        this.ports.logger.error('timer handling failed', {
          timerId,
          error: error instanceof Error ? error.message : String(error)
        })
      );
    });
  }

  private log(effect: Extract<Effect, { type: 'Log' }>): void {
    const fields = { ...effect.fields, ...(effect.callId ? { callId: effect.callId } : {}) };
    this.ports.logger[effect.level](effect.message, fields);
  }
}

/**
 * What the step changed. The engine names the calls and agents it wrote (`touched`), so the delta costs the same
 * however many calls the world holds; without that list it compares references (the engine copies on write).
 */
function deltaOf(before: World, after: World, touched?: { calls: string[]; agents: string[] }): WorldDelta {
  if (touched) {
    const calls: CallSession[] = [];
    const removedCallIds: string[] = [];
    for (const id of touched.calls) {
      const call = after.calls[id] ?? after.ended?.[id];
      // A touched call the world no longer holds was pruned (the step may have written the maps in place).
      if (call) calls.push(call);
      else removedCallIds.push(id);
    }
    const agents = touched.agents.flatMap((id) => after.agents[id] ?? []);
    return {
      calls,
      removedCallIds,
      agents,
      ...(after.config !== before.config ? { config: after.config } : {}),
      ...(after.applied !== before.applied ? { applied: after.applied } : {})
    };
  }
  const endedBefore = before.ended ?? {};
  const endedAfter = after.ended ?? {};
  const endedChanged = endedAfter !== endedBefore;
  const was = (id: string): CallSession | undefined => before.calls[id] ?? endedBefore[id];
  const candidates = [...Object.values(after.calls), ...(endedChanged ? Object.values(endedAfter) : [])];
  const calls = candidates.filter((call) => was(call.callId) !== call);
  const gone = (id: string): boolean => after.calls[id] === undefined && endedAfter[id] === undefined;
  const removedCallIds = [...Object.keys(before.calls), ...(endedChanged ? Object.keys(endedBefore) : [])].filter(gone);
  const agents = Object.values(after.agents).filter((agent) => before.agents[agent.salesforceUserId] !== agent);
  return {
    calls,
    removedCallIds,
    agents,
    ...(after.config !== before.config ? { config: after.config } : {}),
    ...(after.applied !== before.applied ? { applied: after.applied } : {})
  };
}

/** Effects the app executes after the commit (the rest — publish, timers, logs — are handled by the commit itself). */
function isExecutable(effect: Effect): boolean {
  return (
    effect.type !== 'PublishCallEvent' &&
    effect.type !== 'ScheduleTimer' &&
    effect.type !== 'CancelTimer' &&
    effect.type !== 'Log'
  );
}
