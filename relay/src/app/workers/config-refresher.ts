/**
 * Keeps the engine's config snapshot fresh (agents, rules, org settings from Salesforce): at start, on the
 * engine's ReloadConfig effect (CallRelay calls `load`) and periodically. A failed load keeps the last good
 * snapshot in the engine and shows in `status()` (/readyz) and the logs.
 */
import type { ConfigSnapshot } from '../../domain/config.ts';
import type { Input } from '../../domain/model.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { ConfigSource } from '../../ports/config-source.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export interface ConfigStatus {
  loaded: boolean;
  lastLoadedAt?: string;
  lastError?: string;
  agents?: number;
}

export class ConfigRefresher implements ConfigSource {
  private lastGood: ConfigSnapshot | undefined;
  private lastLoadedAt: string | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly source: ConfigSource,
    private readonly clock: Clock,
    private readonly logger: Logger
  ) {}

  /** A fresh load; rejects on failure (the engine then keeps the snapshot it has). */
  async load(): Promise<ConfigSnapshot> {
    try {
      const snapshot = await this.source.load();
      this.lastGood = snapshot;
      this.lastLoadedAt = this.clock.now();
      this.lastError = undefined;
      return snapshot;
    } catch (error) {
      this.lastError = errorMessage(error);
      this.logger.error('config load failed; keeping the last good snapshot', {
        error: this.lastError,
        lastLoadedAt: this.lastLoadedAt
      });
      throw error;
    }
  }

  /** Periodic refresh: loads and hands the snapshot to the engine; a failure is recorded, never thrown. */
  async refresh(handle: (input: Input) => Promise<unknown>): Promise<boolean> {
    let config: ConfigSnapshot;
    try {
      config = await this.load();
    } catch {
      return false;
    }
    await handle({ type: 'ConfigReloaded', config, at: this.clock.now(), key: `ConfigReloaded:${config.loadedAt}` });
    return true;
  }

  status(): ConfigStatus {
    return {
      loaded: this.lastGood !== undefined && this.lastError === undefined,
      ...(this.lastLoadedAt && { lastLoadedAt: this.lastLoadedAt }),
      ...(this.lastError && { lastError: this.lastError }),
      ...(this.lastGood && { agents: this.lastGood.agents.length })
    };
  }

  snapshot(): ConfigSnapshot | undefined {
    return this.lastGood;
  }
}
