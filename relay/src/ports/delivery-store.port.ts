/** A webhook body accepted and acknowledged (202) but not yet processed. */
export interface InboxItem {
  /** De-duplication key: Graph re-delivers the same notification; the same key is stored once. */
  key: string;
  body: string;
  receivedAt: string;
}

/** An event Salesforce refused as invalid: kept, counted and visible, never retried forever (B01). */
export interface DeadLetter {
  eventId: string;
  event: string;
  error: string;
  failedAt: string;
}

/**
 * The delivery bookkeeping around the engine: the webhook inbox (acknowledge fast, process from the store), the
 * command subscription's replay id and processed command ids, and dead-lettered events.
 */
export interface DeliveryStore {
  /** Stores the item unless its key is already known; returns false for a duplicate. */
  addToInbox(item: InboxItem): Promise<boolean>;
  /** Unprocessed items, oldest first. */
  pendingInbox(limit: number): Promise<InboxItem[]>;
  markInboxProcessed(key: string): Promise<void>;

  getReplayId(topic: string): Promise<Buffer | undefined>;
  setReplayId(topic: string, replayId: Buffer): Promise<void>;
  /** Records a command id; returns false when it was already processed (de-duplication by `CommandId__c`). */
  markCommandProcessed(commandId: string, at: string): Promise<boolean>;

  /** Moves an outbox row to the dead-letter table in one transaction. */
  deadLetter(eventId: string, error: string, at: string): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  outboxDepth(): Promise<number>;

  /** B15: deletes processed inbox rows received, and command ids recorded, before these instants; never pending rows. */
  prune(cutoffs: RetentionCutoffs): Promise<{ inbox: number; commands: number }>;
}

/** How long delivery bookkeeping is kept once done with (the tables do not grow forever). */
export interface RetentionCutoffs {
  inboxBefore: string;
  /** Keep command ids longer than the command subscription's replay window. */
  commandsBefore: string;
}
