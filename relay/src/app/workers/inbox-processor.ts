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

export class InboxProcessor {
  private readonly attempts = new Map<string, number>();
  private readonly metrics: RelayMetrics;

  constructor(private readonly options: InboxProcessorOptions) {
    this.metrics = options.metrics ?? NO_METRICS;
  }

  /** Processes everything pending, oldest first; stops early (keeping order) when a row must be retried. */
  async processPending(): Promise<number> {
    const { inbox, batchSize = 100 } = this.options;
    let done = 0;
    for (;;) {
      const rows = await inbox.pendingInbox(batchSize);
      for (const row of rows) {
        if (!(await this.processRow(row))) return done;
        done += 1;
      }
      if (rows.length < batchSize) return done;
    }
  }

  /** True when the row is finished with (processed or abandoned). */
  private async processRow(row: InboxItem): Promise<boolean> {
    const { inbox, decode, handle, logger, maxAttempts = 5 } = this.options;
    let decoded: DecodedItem[];
    try {
      decoded = decode(row);
    } catch (error) {
      this.metrics.inboxItem('undecodable');
      logger.error('inbox row cannot be decoded; kept in the inbox table, not processed', {
        inboxKey: row.key,
        error: errorMessage(error)
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
