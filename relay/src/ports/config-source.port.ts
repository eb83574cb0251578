import type { ConfigSnapshot } from '../domain/config.ts';

/** Loads agents, rules and org settings from Salesforce. Called at start, on ReloadConfig and periodically. */
export interface ConfigSource {
  load(): Promise<ConfigSnapshot>;
}
