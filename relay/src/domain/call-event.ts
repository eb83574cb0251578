/**
 * The two platform events that connect the relay and Salesforce, as the relay sees them.
 * Field names mirror `force-app/main/relay-integration/objects/TeamsCall{Event,Command}__e`; a test reads the
 * metadata and fails when this type and the metadata disagree (one source of truth: the metadata).
 */

export type CallState =
  | 'Ringing'
  | 'Connected'
  | 'OnHold'
  | 'Ended'
  | 'Missed'
  | 'Abandoned'
  | 'Rejected'
  | 'Redirected'
  | 'Transferred'
  | 'Suppressed';

export type CallReason =
  | 'NoAnswer'
  | 'DoNotDisturb'
  | 'Presenting'
  | 'OutOfOffice'
  | 'InACall'
  | 'Declined'
  | 'CallerHungUp'
  | 'AgentHungUp'
  | 'Failed'
  /** B09: the number dialled was busy (the callee's line refused the invite). */
  | 'Busy'
  /** The relay learnt from Graph that the call had ended while it was not told how (e.g. it was down). */
  | 'Reconciled';

export type EventKind = 'Call' | 'Presence' | 'Heartbeat';

/** One `TeamsCallEvent__e`, relay → Salesforce. Optional fields are omitted (null in Avro). */
export interface TeamsCallEvent {
  EventId__c: string;
  TeamsCallId__c: string;
  Sequence__c: number;
  Kind__c: EventKind;
  State__c?: CallState;
  Reason__c?: CallReason;
  Direction__c?: 'Inbound' | 'Outbound';
  CallerNumber__c?: string;
  CallerName__c?: string;
  DialledNumber__c?: string;
  AgentUserId__c?: string;
  AgentTeamsId__c?: string;
  Target__c?: string;
  Participants__c?: string;
  Presence__c?: string;
  RelatedCallId__c?: string;
  /** ISO-8601 instant. */
  OccurredAt__c: string;
}

/** `Dial` (B09) has no call yet: `Argument__c` is the E.164 number to call. */
/** `Ready` / `Extend` (B13) end or extend the agent's after-call work; no call. */
export type CommandAction = 'Hold' | 'Resume' | 'Hangup' | 'Reject' | 'ReloadConfig' | 'Dial' | 'Ready' | 'Extend';

/** One `TeamsCallCommand__e`, Salesforce → relay. */
export interface TeamsCallCommand {
  CommandId__c: string;
  TeamsCallId__c?: string;
  Action__c: CommandAction;
  Argument__c?: string;
  /** Salesforce user id of the agent who asked (Apex checked ownership; the relay checks again). */
  RequestedBy__c: string;
  IssuedAt__c: string;
  /**
   * The platform-set publisher of the event (standard field, not forgeable by the publisher). Apex publishes as the
   * agent, so a command whose `CreatedById` is not its `RequestedBy__c` was published by someone else: refused.
   */
  CreatedById?: string;
}
