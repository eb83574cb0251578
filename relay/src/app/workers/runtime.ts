/**
 * The relay's moving parts around CallRelay, built from ports only: the inbox processor, the outbox drain, the
 * config refresher, the presence poller, the command handler and the keepAlive sweep, each on its own loop.
 * `src/main.ts` gives it real adapters; tests give it in-memory ones and a real store.
 */
import type { TeamsCallCommand } from '../../domain/call-event.ts';
import type { Input } from '../../domain/model.ts';
import type { AgentFeed } from '../../ports/agent-feed.port.ts';
import type { CallControl } from '../../ports/call-control.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { ConfigSource } from '../../ports/config-source.port.ts';
import type { DeliveryStore, InboxItem } from '../../ports/delivery-store.port.ts';
import type { EventPublisher } from '../../ports/event-publisher.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import type { RelayMetrics } from '../../ports/metrics.port.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';
import type { TimerScheduler } from '../../ports/timer-scheduler.port.ts';
import type { WorldStore } from '../../ports/world-store.port.ts';
import { CallRelay } from '../call-relay.ts';
import { CommandHandler } from './command-handler.ts';
import { Heartbeat, type HeartbeatIdentity } from './heartbeat.ts';
import { ConfigRefresher } from './config-refresher.ts';
import { InboxProcessor, type DecodedItem } from './inbox-processor.ts';
import { KEEP_ALIVE_INTERVAL_MS, KeepAliveSweeper, type KeepAliveResult } from './keep-alive.ts';
import { errorMessage, Loop } from './loop.ts';
import { meteredCallControl, meteredPresence } from './metered-ports.ts';
import { NO_METRICS } from './no-metrics.ts';
import { OutboxDrain } from './outbox-drain.ts';
import { PresencePoller } from './presence-poller.ts';
import { Reconciler } from './reconciler.ts';

export interface RuntimePorts {
  store: WorldStore & DeliveryStore;
  callControl: CallControl;
  presence: PresenceGateway;
  publisher: EventPublisher;
  configSource: ConfigSource;
  clock: Clock;
  timers: TimerScheduler;
  logger: Logger;
  decode: (item: InboxItem) => DecodedItem[];
  /** Graph keepAlive for one call; without it the sweep is off. */
  keepAlive?: (tenantId: string, callId: string) => Promise<KeepAliveResult>;
  /** Where the workers report what they did; nothing is recorded without it. */
  metrics?: RelayMetrics;
  random?: () => number;
  /** Who this relay is in its Heartbeat events (B07); without it no heartbeat is sent. */
  heartbeat?: HeartbeatIdentity;
  /** B10: the agents' streams; without it events reach browsers only through Salesforce. */
  agentFeed?: AgentFeed;
  /** B15: how long processed inbox rows and command ids are kept; without it nothing is pruned. */
  retention?: { inboxHours: number; commandHours: number };
}

export interface RuntimeIntervals {
  inboxMs: number;
  outboxMs: number;
  presenceMs: number;
  configMs: number;
  keepAliveMs: number;
  /** How often the reconciler looks for calls due a check with Graph (it asks Graph only about those). */
  reconcileMs: number;
  /** How often the Heartbeat event is published (and once at start). */
  heartbeatMs: number;
  /**
   * How long one engine step waits for the outbox drain it triggered. The publish still runs to the end; the cap
   * only stops a slow Salesforce from holding up the inbox (and the next call's ring path) behind it.
   */
  publishWaitMs: number;
  /** How often processed inbox rows and command ids past their retention are deleted. */
  pruneMs: number;
}

export const DEFAULT_INTERVALS: RuntimeIntervals = {
  inboxMs: 1_000,
  outboxMs: 5_000,
  presenceMs: 60_000,
  configMs: 300_000,
  keepAliveMs: KEEP_ALIVE_INTERVAL_MS,
  reconcileMs: 5_000,
  heartbeatMs: 60_000,
  publishWaitMs: 2_000,
  pruneMs: 3_600_000
};

export class RelayRuntime {
  private readonly loops: Loop[];
  /** Inbox passes the webhook started (they overlap; the processor never runs a row twice). */
  private readonly passes = new Set<Promise<void>>();
  private stopped = false;

  private constructor(
    readonly relay: CallRelay,
    readonly config: ConfigRefresher,
    readonly drain: OutboxDrain,
    readonly commands: CommandHandler,
    readonly reconciler: Reconciler,
    private readonly processor: InboxProcessor,
    private readonly inboxLoop: Loop,
    private readonly drainLoop: Loop,
    private readonly others: Loop[],
    private readonly logger: Logger
  ) {
    this.loops = [inboxLoop, ...others, drainLoop];
  }

  /**
   * Recovers the world (re-arms timers, replays effects a crash left pending) and wires the workers. Loops do not
   * run until `startLoops()`; tests drive the same passes by hand (`processInbox`, `drainOutbox`…).
   */
  static async start(ports: RuntimePorts, intervals: Partial<RuntimeIntervals> = {}): Promise<RelayRuntime> {
    const every = { ...DEFAULT_INTERVALS, ...intervals };
    const { store, clock, logger } = ports;
    const metrics = ports.metrics ?? NO_METRICS;
    const onError = (what: string) => (error: unknown) =>
      logger.error(`${what} failed`, { error: errorMessage(error) });

    const config = new ConfigRefresher(ports.configSource, clock, logger);
    const drain = new OutboxDrain({
      store,
      delivery: store,
      publisher: ports.publisher,
      clock,
      logger,
      metrics,
      ...(ports.random && { random: ports.random })
    });
    const drainLoop = new Loop(() => drain.drain().then(() => undefined), every.outboxMs, onError('outbox drain'));

    const relay = await CallRelay.start({
      store,
      callControl: meteredCallControl(ports.callControl, metrics),
      presence: meteredPresence(ports.presence, metrics),
      // The one outbox drain; a step waits for it at most publishWaitMs, then the loop carries on by itself.
      deliverOutbox: () => waitAtMost(drainLoop.wake(), every.publishWaitMs),
      ...(ports.agentFeed && { agentFeed: ports.agentFeed }),
      config,
      clock,
      timers: ports.timers,
      logger
    });
    const handle = (input: Input) => relay.handle(input);
    // A stored world came with its own snapshot; refresh it now (a failure keeps it and shows in /readyz).
    if (config.snapshot() === undefined) await config.refresh(handle);

    const processor = new InboxProcessor({
      inbox: store,
      decode: ports.decode,
      handle,
      logger,
      metrics
    });
    const inboxLoop = new Loop(() => processor.processPending().then(() => undefined), every.inboxMs, onError('inbox'));
    const poller = new PresencePoller(
      ports.presence,
      () => relay.snapshot().config.agents.map((a) => a.teamsUserId),
      handle,
      logger
    );
    const others = [
      new Loop(() => poller.poll().then(() => undefined), every.presenceMs, onError('presence poll')),
      new Loop(() => config.refresh(handle).then(() => undefined), every.configMs, onError('config refresh'))
    ];
    const reconciler = new Reconciler(
      () => relay.snapshot(),
      (callId) => ports.callControl.callStatus(callId),
      handle,
      clock,
      logger
    );
    others.push(new Loop(() => reconciler.pass().then(() => undefined), every.reconcileMs, onError('reconcile')));
    if (ports.heartbeat) {
      const heartbeat = new Heartbeat(ports.publisher, clock, logger, ports.heartbeat);
      others.push(new Loop(() => heartbeat.beat().then(() => undefined), every.heartbeatMs, onError('heartbeat')));
    }
    if (ports.keepAlive) {
      const sweeper = new KeepAliveSweeper(
        () => relay.snapshot(),
        ports.keepAlive,
        logger,
        (callId) => reconciler.observe(callId)
      );
      others.push(new Loop(() => sweeper.sweep().then(() => undefined), every.keepAliveMs, onError('keepAlive')));
    }
    const retention = ports.retention;
    if (retention) {
      const hoursAgo = (hours: number): string => new Date(Date.parse(clock.now()) - hours * 3_600_000).toISOString();
      const prune = async (): Promise<void> => {
        const pruned = await store.prune({
          inboxBefore: hoursAgo(retention.inboxHours),
          commandsBefore: hoursAgo(retention.commandHours)
        });
        if (pruned.inbox + pruned.commands > 0) logger.info('pruned delivery bookkeeping past its retention', pruned);
      };
      others.push(new Loop(prune, every.pruneMs, onError('prune')));
    }
    const commands = new CommandHandler(store, handle, clock, logger, metrics);
    return new RelayRuntime(
      relay,
      config,
      drain,
      commands,
      reconciler,
      processor,
      inboxLoop,
      drainLoop,
      others,
      logger
    );
  }

  startLoops(): void {
    for (const loop of this.loops) loop.start();
  }

  /**
   * A pass of the inbox processor (the webhook calls this after storing); resolves when every row pending at its
   * start is done with. B15: passes overlap, so a new call's row starts at once instead of waiting for a pass busy
   * with other calls' round trips.
   */
  processInbox(): Promise<void> {
    if (this.stopped) return this.inboxLoop.wake();
    const pass = this.processor.processPending().then(
      () => undefined,
      (error: unknown) => this.logger.error('inbox failed', { error: errorMessage(error) })
    );
    this.passes.add(pass);
    void pass.finally(() => this.passes.delete(pass));
    return pass;
  }

  drainOutbox(): Promise<void> {
    return this.drainLoop.wake();
  }

  onCommand(command: TeamsCallCommand): Promise<boolean> {
    return this.commands.onCommand(command);
  }

  /** Stops taking new work and waits for each loop's pass in flight; the outbox drain goes last. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.inboxLoop.stop();
    await Promise.all(this.passes);
    for (const loop of this.loops) await loop.stop();
    this.logger.info('relay runtime stopped');
  }
}

async function waitAtMost(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, cap]);
  } finally {
    clearTimeout(timer);
  }
}
