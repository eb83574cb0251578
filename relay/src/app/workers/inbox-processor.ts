/**
 * Processes the webhook inbox (acknowledge fast, process from the store): each stored notification is decoded into
 * engine inputs and fed to the relay, then marked processed. A row that cannot be decoded is logged, counted and
 * marked processed (it stays in the inbox table for support); a row whose step fails is retried in order and
 * abandoned (logged at error, kept in the table) only after `maxAttempts`, so one bad row never stalls the line.
 */
import type { Input } from '../../domain/model.ts';
import type { DeliveryStore, InboxItem } from '../../ports/delivery-store.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import type { RelayMetrics } from '../../ports/metrics.port.ts';
import { errorMessage } from './loop.ts';
import { NO_METRICS } from './no-metrics.ts';

/** What one stored notification means to the engine: inputs, or why an item carries none. */
export type DecodedItem = { callId?: string; input: Input } | { callId?: string; skipped: string };

export interface InboxProcessorOptions {
  inbox: Pick<DeliveryStore, 'pendingInbox' | 'markInboxProcessed'>;
  /** Throws when the row is not a notification the relay can read at all. */
  decode: (item: InboxItem) => DecodedItem[];
  handle: (input: Input) => Promise<unknown>;
  logger: Logger;
  metrics?: RelayMetrics;
  now?: () => number;
  batchSize?: number;
  maxAttempts?: number;
}

/** The rows of one call, processed one after another; a failed row holds back the rows queued behind it. */
interface Lane {
  tail: Promise<boolean>;
  blocked: boolean;
}

export class InboxProcessor {
  private readonly attempts = new Map<string, number>();
  private readonly metrics: RelayMetrics;
  private readonly lanes = new Map<string, Lane>();
  /** Rows handed to a lane and not yet finished: a concurrent pass leaves them to their lane. */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(private readonly options: InboxProcessorOptions) {
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /**
   * B15: processes everything pending. Rows of different calls run concurrently; the rows of one call run in
   * arrival order, and a row that must be retried holds back that call's later rows only. Passes may overlap (the
   * webhook starts one per delivery): a row already in flight is awaited, never run twice. Resolves with how many
   * rows this pass finished, once every row it saw is done with.
   */
  async processPending(): Promise<number> {
    const { inbox, batchSize = 100 } = this.options;
    let done = 0;
    for (;;) {
      const limit = batchSize + this.inFlight.size;
      const rows = await inbox.pendingInbox(limit);
      const mine: Promise<boolean>[] = [];
      const others: Promise<boolean>[] = [];
      for (const row of rows) {
        const running = this.inFlight.get(row.key);
        if (running) others.push(running);
        else mine.push(this.dispatch(row));
      }
      const results = await Promise.all(mine);
      await Promise.all(others);
      done += results.filter(Boolean).length;
      if (mine.length === 0 || results.includes(false) || rows.length < limit) return done;
    }
  }

  private dispatch(row: InboxItem): Promise<boolean> {
    let decoded: DecodedItem[] | Error;
    try {
      decoded = this.options.decode(row);
    } catch (error) {
      decoded = error instanceof Error ? error : new Error(String(error));
    }
    const laneKey = Array.isArray(decoded) ? (decoded.find((item) => item.callId)?.callId ?? '') : `row:${row.key}`;
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { tail: Promise.resolve(true), blocked: false };
      this.lanes.set(laneKey, lane);
    }
    const current = lane;
    const run = current.tail
      .then(async () => (current.blocked ? false : await this.processRow(row, decoded)))
      .catch((error: unknown) => {
        this.options.logger.warn('inbox row could not be finished; will retry', {
          inboxKey: row.key,
          error: errorMessage(error)
        });
        return false;
      })
      .then((finished) => {
        if (!finished) current.blocked = true;
        return finished;
      });
    current.tail = run;
    this.inFlight.set(row.key, run);
    void run.finally(() => {
      this.inFlight.delete(row.key);
      // The last row of the lane: the next pass starts it afresh (a blocked row is then first in line again).
      if (current.tail === run && this.lanes.get(laneKey) === current) this.lanes.delete(laneKey);
    });
    return run;
  }

  /** True when the row is finished with (processed or abandoned). */
  private async processRow(row: InboxItem, decoded: DecodedItem[] | Error): Promise<boolean> {
    const { inbox, handle, logger, maxAttempts = 5 } = this.options;
    if (decoded instanceof Error) {
      this.metrics.inboxItem('undecodable');
      logger.error('inbox row cannot be decoded; kept in the inbox table, not processed', {
        inboxKey: row.key,
        error: errorMessage(decoded)
      });
      await inbox.markInboxProcessed(row.key);
      return true;
    }
    try {
      for (const item of decoded) {
        if ('skipped' in item) {
          this.metrics.inboxItem('skipped');
          logger.debug?.('notification item carries no engine input', { callId: item.callId, reason: item.skipped });
          continue;
        }
        await handle(item.input);
        this.metrics.inboxItem('applied');
        if (item.input.type === 'IncomingCall') this.observeRingPath(row);
      }
    } catch (error) {
      const attempts = (this.attempts.get(row.key) ?? 0) + 1;
      this.attempts.set(row.key, attempts);
      const fields = { inboxKey: row.key, attempts, error: errorMessage(error) };
      if (attempts < maxAttempts) {
        this.metrics.inboxItem('retried');
        logger.warn('inbox row failed; will retry', fields);
        return false;
      }
      this.metrics.inboxItem('abandoned');
      logger.error('inbox row failed repeatedly; abandoned (kept in the inbox table)', fields);
    }
    this.attempts.delete(row.key);
    await inbox.markInboxProcessed(row.key);
    return true;
  }

  /** `handle` resolves after the invite and the outbox drain carrying the Ringing event (run together, drain capped). */
  private observeRingPath(row: InboxItem): void {
    const received = Date.parse(row.receivedAt);
    if (Number.isNaN(received)) return;
    const now = this.options.now?.() ?? Date.now();
    this.metrics.ringPathObserved(Math.max(0, now - received) / 1000);
  }
}
