import type { ClearPresence, PresenceObserved, SetPresence } from '../../domain/model.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';

/** Presence in memory: what the relay currently holds per agent and mode, plus the presence reads return. */
export class InMemoryPresenceGateway implements PresenceGateway {
  readonly held = new Map<string, SetPresence>();
  readonly requests: Array<SetPresence | ClearPresence> = [];
  readonly observed = new Map<string, PresenceObserved>();
  failing = false;

  setPresence(effect: SetPresence): Promise<void> {
    if (this.failing) return Promise.reject(new Error('presence write refused'));
    this.requests.push(effect);
    this.held.set(`${effect.teamsUserId}/${effect.mode}`, effect);
    return Promise.resolve();
  }

  clearPresence(effect: ClearPresence): Promise<void> {
    if (this.failing) return Promise.reject(new Error('presence write refused'));
    this.requests.push(effect);
    this.held.delete(`${effect.teamsUserId}/${effect.mode}`);
    return Promise.resolve();
  }

  readPresences(teamsUserIds: string[]): Promise<PresenceObserved[]> {
    return Promise.resolve(teamsUserIds.flatMap((id) => this.observed.get(id) ?? []));
  }
}
