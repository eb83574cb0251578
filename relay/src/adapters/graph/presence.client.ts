/**
 * Graph presence (graph-calls.md §9): batched reads and the two write models — the app's own presence session
 * (`setPresence`/`clearPresence`, used for "In a call") and the user's preferred presence (Do Not Disturb after a
 * reject). `GraphPresenceGateway` implements the engine's PresenceGateway port.
 */
import type { ClearPresence, PresenceObserved, SetPresence } from '../../domain/model.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';
import { GraphRequestError, type GraphClient, type GraphResult } from './graph-client.ts';

/** Graph's documented limit for one `getPresencesByUserId` request. */
export const PRESENCE_BATCH_SIZE = 650;

export interface GraphPresence {
  id: string;
  availability?: string;
  activity?: string;
  sequenceNumber?: string;
}

const presencePath = (userId: string, action: string) => `/users/${encodeURIComponent(userId)}/presence/${action}`;

export class GraphPresenceClient {
  constructor(private readonly graph: GraphClient) {}

  /** One request per ≤650 ids; a failed batch fails the whole read (the caller keeps its previous snapshot). */
  async getPresencesByUserId(tenantId: string, userIds: readonly string[]): Promise<GraphResult<GraphPresence[]>> {
    const all: GraphPresence[] = [];
    let last: GraphResult<{ value?: GraphPresence[] }> | undefined;
    for (let start = 0; start < userIds.length; start += PRESENCE_BATCH_SIZE) {
      last = await this.graph.request<{ value?: GraphPresence[] }>({
        method: 'POST',
        path: '/communications/getPresencesByUserId',
        tenantId,
        body: { ids: userIds.slice(start, start + PRESENCE_BATCH_SIZE) },
        // A read despite being a POST.
        idempotent: true
      });
      if (!last.ok) return last;
      all.push(...(last.body?.value ?? []));
    }
    return { ok: true, status: 200, body: all, clientRequestId: last?.clientRequestId ?? '' };
  }

  setPresence(
    tenantId: string,
    userId: string,
    sessionId: string,
    availability: string,
    activity: string,
    minutes: number
  ) {
    return this.write(tenantId, presencePath(userId, 'setPresence'), {
      sessionId,
      availability,
      activity,
      expirationDuration: isoMinutes(minutes)
    });
  }

  clearPresence(tenantId: string, userId: string, sessionId: string) {
    return this.write(tenantId, presencePath(userId, 'clearPresence'), { sessionId });
  }

  setUserPreferredPresence(tenantId: string, userId: string, availability: string, activity: string, minutes?: number) {
    return this.write(tenantId, presencePath(userId, 'setUserPreferredPresence'), {
      availability,
      activity,
      ...(minutes !== undefined && { expirationDuration: isoMinutes(minutes) })
    });
  }

  clearUserPreferredPresence(tenantId: string, userId: string) {
    return this.write(tenantId, presencePath(userId, 'clearUserPreferredPresence'), {});
  }

  /** Presence writes set absolute state, so repeating one is safe. */
  private write(tenantId: string, path: string, body: unknown) {
    return this.graph.request({ method: 'POST', path, tenantId, body, idempotent: true });
  }
}

function isoMinutes(minutes: number): string {
  return `PT${Math.max(1, Math.round(minutes))}M`;
}

export interface GraphPresenceGatewayOptions {
  tenantId: string;
  /** The presence session id for `setPresence`: Graph requires the app's client id. */
  sessionId: string;
  now?: () => Date;
}

export class GraphPresenceGateway implements PresenceGateway {
  constructor(
    private readonly client: GraphPresenceClient,
    private readonly options: GraphPresenceGatewayOptions
  ) {}

  async setPresence(effect: SetPresence): Promise<void> {
    const { tenantId, sessionId } = this.options;
    const result =
      effect.mode === 'InACall'
        ? await this.client.setPresence(
            tenantId,
            effect.teamsUserId,
            sessionId,
            effect.availability,
            effect.activity,
            effect.expiresInMinutes
          )
        : await this.client.setUserPreferredPresence(
            tenantId,
            effect.teamsUserId,
            effect.availability,
            effect.activity,
            effect.expiresInMinutes
          );
    if (!result.ok) throw new GraphRequestError('setPresence', result);
  }

  async clearPresence(effect: ClearPresence): Promise<void> {
    const { tenantId, sessionId } = this.options;
    let result: GraphResult<unknown>;
    if (effect.mode === 'InACall') result = await this.client.clearPresence(tenantId, effect.teamsUserId, sessionId);
    else if (effect.restore)
      result = await this.client.setUserPreferredPresence(
        tenantId,
        effect.teamsUserId,
        effect.restore.availability,
        effect.restore.activity
      );
    else result = await this.client.clearUserPreferredPresence(tenantId, effect.teamsUserId);
    if (!result.ok && result.status !== 404) throw new GraphRequestError('clearPresence', result);
  }

  async readPresences(teamsUserIds: string[]): Promise<PresenceObserved[]> {
    const result = await this.client.getPresencesByUserId(this.options.tenantId, teamsUserIds);
    if (!result.ok) throw new GraphRequestError('getPresencesByUserId', result);
    const at = (this.options.now?.() ?? new Date()).toISOString();
    return result.body
      .filter((p) => p.id && p.availability && p.activity)
      .map((p) => ({
        type: 'PresenceObserved' as const,
        at,
        teamsUserId: p.id,
        availability: p.availability ?? '',
        activity: p.activity ?? '',
        ...(p.sequenceNumber && { sequenceNumber: p.sequenceNumber })
      }));
  }
}
