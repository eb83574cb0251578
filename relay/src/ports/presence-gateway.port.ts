import type { ClearPresence, PresenceObserved, SetPresence } from '../domain/model.ts';

/**
 * Teams presence (graph-calls.md §9). Writes are engine effects; reads feed the engine's snapshot in the background
 * (batched polling), never on the ring path.
 */
export interface PresenceGateway {
  /**
   * `mode: 'InACall'` → `setPresence` on the app's own session; `mode: 'DoNotDisturb'` → `setUserPreferredPresence`.
   * Always send `expiresInMinutes` as `expirationDuration` so a crashed relay cannot leave the agent stuck (B05).
   */
  setPresence(effect: SetPresence): Promise<void>;
  /**
   * Undo what the relay set: `InACall` → `clearPresence` (session); `DoNotDisturb` → re-apply `restore` with
   * `setUserPreferredPresence` when present, else `clearUserPreferredPresence`. 404 (no session) must resolve.
   */
  clearPresence(effect: ClearPresence): Promise<void>;
  /** Batched read (`getPresencesByUserId`, ≤650 ids per request), returned as engine inputs. */
  readPresences(teamsUserIds: string[]): Promise<PresenceObserved[]>;
}
