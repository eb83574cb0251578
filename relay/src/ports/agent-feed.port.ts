import type { TeamsCallEvent } from '../domain/call-event.ts';

/**
 * One event on an agent's stream (B10). `id` orders the agent's stream and is what a reconnecting browser sends
 * back as `Last-Event-ID`; the event itself keeps its per-call `Sequence__c`, which the softphone uses to apply
 * each call's events once and in order.
 */
export interface AgentFeedItem {
  id: string;
  event: TeamsCallEvent;
}

export type AgentFeedListener = (item: AgentFeedItem) => void;

export interface AgentFeedSubscription {
  /**
   * What the agent missed after `lastEventId`, oldest first — or `null` when the feed cannot tell (another relay
   * run, or older than what is kept): the browser must then restore from Salesforce (B02) before applying more.
   */
  backlog: AgentFeedItem[] | null;
  close(): void;
}

/**
 * Fan-out from the engine to the agents' open streams: each agent receives only events that name them
 * (`AgentUserId__c`). In-process for one relay instance; the scale-out issue (B15) adds a cross-instance adapter.
 */
export interface AgentFeed {
  /** Hands each event to the open streams of the agent it names; events naming no agent go nowhere. */
  publish(events: readonly TeamsCallEvent[]): void;
  subscribe(agentUserId: string, lastEventId: string | null, listener: AgentFeedListener): AgentFeedSubscription;
  /** Open streams, for metrics and readiness. */
  readonly listenerCount: number;
}
