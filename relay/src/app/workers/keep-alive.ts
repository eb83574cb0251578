/**
 * Graph ends a call the bot has not kept alive for 45 minutes (graph-calls.md): every answered call in progress
 * gets a keepAlive on each sweep (run every 15 minutes). keepAlive is idempotent, so a repeat is harmless. A call
 * Graph no longer knows (404) is handed to reconciliation at once instead of only being logged.
 */
import type { World } from '../../domain/model.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export const KEEP_ALIVE_INTERVAL_MS = 15 * 60 * 1000;

/** `gone`: Graph answered 404 (the call no longer exists); any other failure rejects. */
export type KeepAliveResult = 'ok' | 'gone';

export class KeepAliveSweeper {
  constructor(
    private readonly world: () => World,
    private readonly keepAlive: (tenantId: string, callId: string) => Promise<KeepAliveResult>,
    private readonly logger: Logger,
    private readonly onGone: (callId: string) => Promise<unknown> = () => Promise.resolve()
  ) {}

  async sweep(): Promise<number> {
    const calls = Object.values(this.world().calls).filter((c) => c.botAnswered && c.phase !== 'Ended');
    let sent = 0;
    for (const call of calls) {
      try {
        if ((await this.keepAlive(call.tenantId, call.callId)) === 'gone') {
          this.logger.warn('keepAlive: Graph no longer has the call; reconciling', { callId: call.callId });
          await this.onGone(call.callId);
          continue;
        }
        sent += 1;
      } catch (error) {
        this.logger.warn('keepAlive failed', { callId: call.callId, error: errorMessage(error) });
      }
    }
    return sent;
  }
}
