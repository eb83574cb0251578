/**
 * Polls Teams presence for every mapped agent in batches (Graph's getPresencesByUserId takes ≤650 ids) and feeds
 * each observation to the engine as `PresenceObserved` — in the background, never on the ring path.
 */
import type { Input } from '../../domain/model.ts';
import type { Logger } from '../../ports/logger.port.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';
import { errorMessage } from './loop.ts';

export const PRESENCE_BATCH = 650;

export class PresencePoller {
  constructor(
    private readonly presence: Pick<PresenceGateway, 'readPresences'>,
    private readonly agents: () => string[],
    private readonly handle: (input: Input) => Promise<unknown>,
    private readonly logger: Logger
  ) {}

  /** One sweep over all agents; a failed batch is logged and the others still go. Returns observations fed. */
  async poll(): Promise<number> {
    const ids = [...new Set(this.agents())];
    let fed = 0;
    for (let i = 0; i < ids.length; i += PRESENCE_BATCH) {
      const batch = ids.slice(i, i + PRESENCE_BATCH);
      let observed;
      try {
        observed = await this.presence.readPresences(batch);
      } catch (error) {
        this.logger.warn('presence poll failed for a batch', { size: batch.length, error: errorMessage(error) });
        continue;
      }
      for (const observation of observed) {
        await this.handle(observation);
        fed += 1;
      }
    }
    return fed;
  }
}
