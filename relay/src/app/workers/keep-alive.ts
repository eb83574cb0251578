/**
 * Graph ends a call the bot has not kept alive for 45 minutes (graph-calls.md): every answered call in progress
 * gets a keepAlive on each sweep (run every 15 minutes). keepAlive is idempotent, so a repeat is harmless.
 */
import type { World } from '../../domain/model.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export const KEEP_ALIVE_INTERVAL_MS = 15 * 60 * 1000;

export class KeepAliveSweeper {
  constructor(
    private readonly world: () => World,
    private readonly keepAlive: (tenantId: string, callId: string) => Promise<void>,
    private readonly logger: Logger
  ) {}

  async sweep(): Promise<number> {
    const calls = Object.values(this.world().calls).filter((c) => c.botAnswered && c.phase !== 'Ended');
    let sent = 0;
    for (const call of calls) {
      try {
        await this.keepAlive(call.tenantId, call.callId);
        sent += 1;
      } catch (error) {
        this.logger.warn('keepAlive failed', { callId: call.callId, error: errorMessage(error) });
      }
    }
    return sent;
  }
}
