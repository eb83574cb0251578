/**
 * The agent stream's fan-out inside one relay process (B10): a listener set and a short backlog per agent, so a
 * browser that reconnects within seconds resumes from its `Last-Event-ID` without a gap or a duplicate.
 *
 * Ids are `<run>.<n>`: `run` is random per process, `n` counts up across all agents. An id from another run (the
 * relay restarted) or older than the backlog cannot be resumed: `subscribe` answers `backlog: null` and the browser
 * restores from Salesforce, which keeps every call (B01, B02). Cost per event is O(listeners of that agent); memory
 * is bounded by `backlogPerAgent` × agents seen.
 */
import { randomUUID } from 'node:crypto';
import type { TeamsCallEvent } from '../../domain/call-event.ts';
import type {
  AgentFeed,
  AgentFeedItem,
  AgentFeedListener,
  AgentFeedSubscription
} from '../../ports/agent-feed.port.ts';

export interface InProcessAgentFeedOptions {
  /** Items kept per agent for resumption (default 256: minutes of one agent's calls). */
  backlogPerAgent?: number;
  /** The run's id prefix (tests); random by default. */
  runId?: string;
}

interface AgentChannel {
  listeners: Set<AgentFeedListener>;
  backlog: Array<AgentFeedItem & { n: number }>;
  /** The highest `n` pushed out of the backlog: a browser that saw less than this has a gap. */
  droppedUpTo: number;
}

export class InProcessAgentFeed implements AgentFeed {
  readonly #channels = new Map<string, AgentChannel>();
  readonly #backlogPerAgent: number;
  readonly #runId: string;
  #counter = 0;
  #listenerCount = 0;

  constructor(options: InProcessAgentFeedOptions = {}) {
    this.#backlogPerAgent = Math.max(1, options.backlogPerAgent ?? 256);
    this.#runId = options.runId ?? randomUUID().slice(0, 8);
  }

  get listenerCount(): number {
    return this.#listenerCount;
  }

  publish(events: readonly TeamsCallEvent[]): void {
    for (const event of events) {
      const agentUserId = event.AgentUserId__c;
      if (!agentUserId) continue;
      const channel = this.#channel(agentUserId);
      this.#counter += 1;
      const item: AgentFeedItem = { id: `${this.#runId}.${this.#counter}`, event };
      channel.backlog.push({ ...item, n: this.#counter });
      if (channel.backlog.length > this.#backlogPerAgent) channel.droppedUpTo = channel.backlog.shift()?.n ?? 0;
      for (const listener of channel.listeners) listener(item);
    }
  }

  subscribe(agentUserId: string, lastEventId: string | null, listener: AgentFeedListener): AgentFeedSubscription {
    const channel = this.#channel(agentUserId);
    const backlog = lastEventId === null ? [] : this.#missedSince(channel, lastEventId);
    channel.listeners.add(listener);
    this.#listenerCount += 1;
    let open = true;
    return {
      backlog,
      close: () => {
        if (!open) return;
        open = false;
        channel.listeners.delete(listener);
        this.#listenerCount -= 1;
      }
    };
  }

  /** Items after `lastEventId`, or null when that id cannot be placed in this run's backlog. */
  #missedSince(channel: AgentChannel, lastEventId: string): AgentFeedItem[] | null {
    const [runId, n, extra] = lastEventId.split('.');
    const seen = Number(n);
    if (runId !== this.#runId || extra !== undefined || !Number.isSafeInteger(seen) || seen < 0) return null;
    if (seen > this.#counter || seen < channel.droppedUpTo) return null;
    return channel.backlog.filter((item) => item.n > seen).map(({ id, event }) => ({ id, event }));
  }

  #channel(agentUserId: string): AgentChannel {
    let channel = this.#channels.get(agentUserId);
    if (!channel) {
      channel = { listeners: new Set(), backlog: [], droppedUpTo: 0 };
      this.#channels.set(agentUserId, channel);
    }
    return channel;
  }
}
