/**
 * Graph call-control requests (graph-calls.md §5) as typed methods, and `GraphCallControl`, the adapter that
 * implements the engine's CallControl port on top of them. Only HTTP shapes live here; decisions are the engine's.
 */
import type { CallControl, CallStatus } from '../../ports/call-control.port.ts';
import type {
  AnswerCall,
  CancelInvite,
  HangUp,
  InviteAgent,
  InviteNumber,
  PlaceCall,
  Redirect,
  RemoveParticipant,
  RouteIdentity,
  StartHoldMusic,
  StopHoldMusic,
  Transfer
} from '../../domain/model.ts';
import { GraphRequestError, type GraphClient, type GraphResult } from './graph-client.ts';

const IDENTITY = '#microsoft.graph.identity';

export interface GraphIdentitySet {
  '@odata.type'?: string;
  [kind: string]: unknown;
}

export interface InvitationTarget {
  identity: GraphIdentitySet;
  endpointType?: 'default' | 'voicemail';
  participantId?: string;
}

export interface GraphParticipant {
  id: string;
  info?: { identity?: Record<string, { id?: string } | undefined> };
}

/** Maps the engine's route identity onto the `identitySet` Graph expects (graph-calls.md §7). */
export function identitySet(identity: RouteIdentity): GraphIdentitySet {
  return {
    '@odata.type': '#microsoft.graph.identitySet',
    [identity.kind]: { '@odata.type': IDENTITY, id: identity.id }
  };
}

const calls = (callId: string) => `/communications/calls/${encodeURIComponent(callId)}`;

export class GraphCallsClient {
  constructor(private readonly graph: GraphClient) {}

  answer(tenantId: string, callId: string, callbackUri: string, clientContext?: string): Promise<GraphResult<unknown>> {
    return this.post(tenantId, `${calls(callId)}/answer`, {
      callbackUri,
      acceptedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      ...(clientContext && { clientContext })
    });
  }

  reject(tenantId: string, callId: string, reason: 'none' | 'busy' | 'forbidden', callbackUri?: string) {
    return this.post(tenantId, `${calls(callId)}/reject`, { reason, ...(callbackUri && { callbackUri }) });
  }

  redirect(
    tenantId: string,
    callId: string,
    targets: InvitationTarget[],
    callbackUri: string,
    timeoutSeconds?: number
  ) {
    return this.post(tenantId, `${calls(callId)}/redirect`, {
      targets: targets.map(invitation),
      callbackUri,
      ...(timeoutSeconds !== undefined && { timeout: timeoutSeconds })
    });
  }

  transfer(
    tenantId: string,
    callId: string,
    target: InvitationTarget,
    transfereeParticipantId?: string,
    clientContext?: string
  ) {
    return this.post(tenantId, `${calls(callId)}/transfer`, {
      transferTarget: invitation(target),
      ...(transfereeParticipantId && {
        transferee: { '@odata.type': '#microsoft.graph.participantInfo', participantId: transfereeParticipantId }
      }),
      ...(clientContext && { clientContext })
    });
  }

  invite(tenantId: string, callId: string, participants: InvitationTarget[], clientContext?: string) {
    return this.post<{ id?: string; participants?: { participantId?: string }[] }>(
      tenantId,
      `${calls(callId)}/participants/invite`,
      { participants: participants.map(invitation), ...(clientContext && { clientContext }) }
    );
  }

  /**
   * B09: create an outbound call (graph-calls.md §5 "Create outbound call"): `source.identity.applicationInstance`
   * is the resource account whose number is the caller id (required for PSTN), `targets` whom to ring first.
   */
  createCall(tenantId: string, callbackUri: string, sourceApplicationInstanceId: string, targets: InvitationTarget[]) {
    return this.post<{ id?: string }>(tenantId, '/communications/calls', {
      '@odata.type': '#microsoft.graph.call',
      callbackUri,
      source: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: identitySet({ kind: 'applicationInstance', id: sourceApplicationInstanceId })
      },
      targets: targets.map(invitation),
      requestedModalities: ['audio'],
      mediaConfig: { '@odata.type': '#microsoft.graph.serviceHostedMediaConfig' },
      tenantId
    });
  }

  listParticipants(tenantId: string, callId: string) {
    return this.graph.request<{ value?: GraphParticipant[] }>({
      method: 'GET',
      path: `${calls(callId)}/participants`,
      tenantId,
      idempotent: true
    });
  }

  removeParticipant(tenantId: string, callId: string, participantId: string) {
    return this.graph.request({
      method: 'DELETE',
      path: `${calls(callId)}/participants/${encodeURIComponent(participantId)}`,
      tenantId,
      idempotent: true
    });
  }

  startHoldMusic(tenantId: string, callId: string, participantId: string, clientContext?: string) {
    return this.post<{ id?: string }>(
      tenantId,
      `${calls(callId)}/participants/${encodeURIComponent(participantId)}/startHoldMusic`,
      { ...(clientContext && { clientContext }) }
    );
  }

  stopHoldMusic(tenantId: string, callId: string, participantId: string, clientContext?: string) {
    return this.post<{ id?: string }>(
      tenantId,
      `${calls(callId)}/participants/${encodeURIComponent(participantId)}/stopHoldMusic`,
      { ...(clientContext && { clientContext }) }
    );
  }

  hangUp(tenantId: string, callId: string) {
    return this.graph.request({ method: 'DELETE', path: calls(callId), tenantId, idempotent: true });
  }

  /** keepAlive only extends the call's life, so repeating it is harmless. */
  keepAlive(tenantId: string, callId: string) {
    return this.graph.request({ method: 'POST', path: `${calls(callId)}/keepAlive`, tenantId, idempotent: true });
  }

  getCall(tenantId: string, callId: string) {
    return this.graph.request<{ id?: string; state?: string }>({
      method: 'GET',
      path: calls(callId),
      tenantId,
      idempotent: true
    });
  }

  private post<T = unknown>(tenantId: string, path: string, body: unknown): Promise<GraphResult<T>> {
    return this.graph.request<T>({ method: 'POST', path, tenantId, body, idempotent: false });
  }
}

function invitation(target: InvitationTarget) {
  return { '@odata.type': '#microsoft.graph.invitationParticipantInfo', ...target };
}

export interface GraphCallControlOptions {
  /** The tenant a call belongs to (from the webhook token's `tid`), falling back to `defaultTenantId`. */
  tenantOf: (callId: string) => string | undefined;
  defaultTenantId: string;
  /** The per-call https callbackUri (with its unguessable token) to hand to answer/redirect. */
  callbackUriFor: (callId: string) => string;
  /** Redirect ring time in seconds (Graph: 15–90). */
  redirectTimeoutSeconds?: number;
  /**
   * B09: the callbackUri for calls the relay places. Graph names such a call only in its response, so no per-call
   * token can be bound in advance: the global calling URL (Graph's signed token still authenticates every POST).
   */
  outboundCallbackUri?: string;
  /** B09: the resource account object id of a line (E.164), for `source.identity.applicationInstance`. */
  resourceAccountFor?: (lineNumber: string) => string | undefined;
}

/**
 * CallControl port over Graph. Non-idempotent requests are sent once; failures reject with GraphRequestError
 * (the app turns that into `EffectFailed`). A 404 on hang-up/removal means "already gone" and resolves.
 */
export class GraphCallControl implements CallControl {
  /** Invited participant ids per call, so CancelInvite can remove the right leg without a roster round trip. */
  private readonly invited = new Map<string, Map<string, string>>();

  constructor(
    private readonly client: GraphCallsClient,
    private readonly options: GraphCallControlOptions
  ) {}

  async answer(effect: AnswerCall): Promise<void> {
    const result = await this.client.answer(effect.tenantId, effect.callId, this.options.callbackUriFor(effect.callId));
    expectOk('answer', result);
  }

  async inviteAgent(effect: InviteAgent): Promise<void> {
    if (effect.verify) {
      // A retry after a throttled invite: never invite twice (graph-calls.md §10) — look at the roster first.
      const user = effect.teamsUserId.toLowerCase();
      const present = await this.findParticipant(effect.tenantId, effect.callId, (p) => userIdOf(p) === user);
      if (present) {
        this.remember(effect.callId, user, present);
        return;
      }
    }
    const target = { identity: identitySet({ kind: 'user', id: effect.teamsUserId }) };
    const result = await this.client.invite(effect.tenantId, effect.callId, [target], `invite:${effect.teamsUserId}`);
    expectOk('inviteAgent', result);
    const participantId = result.ok ? result.body?.participants?.[0]?.participantId : undefined;
    if (participantId) this.remember(effect.callId, effect.teamsUserId.toLowerCase(), participantId);
  }

  private remember(callId: string, user: string, participantId: string): void {
    const byUser = this.invited.get(callId) ?? new Map<string, string>();
    byUser.set(user, participantId);
    this.invited.set(callId, byUser);
  }

  async cancelInvite(effect: CancelInvite): Promise<void> {
    const tenantId = this.tenantOf(effect.callId);
    const participantId =
      this.invited.get(effect.callId)?.get(effect.teamsUserId.toLowerCase()) ??
      (await this.findParticipant(tenantId, effect.callId, (p) => userIdOf(p) === effect.teamsUserId.toLowerCase()));
    if (!participantId) return;
    const result = await this.client.removeParticipant(tenantId, effect.callId, participantId);
    expectOkOrGone('cancelInvite', result);
    this.invited.get(effect.callId)?.delete(effect.teamsUserId.toLowerCase());
  }

  async removeParticipant(effect: RemoveParticipant): Promise<void> {
    const result = await this.client.removeParticipant(
      this.tenantOf(effect.callId),
      effect.callId,
      effect.participantId
    );
    expectOkOrGone('removeParticipant', result);
  }

  async startHoldMusic(effect: StartHoldMusic): Promise<void> {
    const tenantId = this.tenantOf(effect.callId);
    const participantId = effect.participantId ?? (await this.callerParticipant(tenantId, effect.callId));
    const result = await this.client.startHoldMusic(tenantId, effect.callId, participantId, `hold:${effect.callId}`);
    expectOk('startHoldMusic', result);
  }

  async stopHoldMusic(effect: StopHoldMusic): Promise<void> {
    const tenantId = this.tenantOf(effect.callId);
    const participantId = effect.participantId ?? (await this.callerParticipant(tenantId, effect.callId));
    const result = await this.client.stopHoldMusic(tenantId, effect.callId, participantId, `resume:${effect.callId}`);
    expectOk('stopHoldMusic', result);
  }

  async transfer(effect: Transfer): Promise<void> {
    const result = await this.client.transfer(
      this.tenantOf(effect.callId),
      effect.callId,
      { identity: identitySet(effect.target.identity) },
      effect.transfereeParticipantId
    );
    expectOk('transfer', result);
  }

  async redirect(effect: Redirect): Promise<void> {
    const result = await this.client.redirect(
      this.tenantOf(effect.callId),
      effect.callId,
      [{ identity: identitySet(effect.target.identity) }],
      this.options.callbackUriFor(effect.callId),
      this.options.redirectTimeoutSeconds
    );
    expectOk('redirect', result);
  }

  async hangUp(effect: HangUp): Promise<void> {
    expectOkOrGone('hangUp', await this.client.hangUp(this.tenantOf(effect.callId), effect.callId));
    this.invited.delete(effect.callId);
  }

  async placeCall(effect: PlaceCall): Promise<{ callId: string; tenantId: string }> {
    const source = this.options.resourceAccountFor?.(effect.lineNumber);
    if (!source || !this.options.outboundCallbackUri)
      throw new Error(`line ${effect.lineNumber} has no resource account in GRAPH_RESOURCE_ACCOUNTS`);
    const tenantId = this.options.defaultTenantId;
    const result = await this.client.createCall(tenantId, this.options.outboundCallbackUri, source, [
      { identity: identitySet({ kind: 'user', id: effect.teamsUserId }) }
    ]);
    expectOk('placeCall', result);
    const callId = result.body?.id;
    if (!callId) throw new Error('Graph created the call but returned no id');
    return { callId, tenantId };
  }

  async inviteNumber(effect: InviteNumber): Promise<void> {
    const target = { identity: identitySet({ kind: 'phone', id: effect.phoneNumber }) };
    const result = await this.client.invite(effect.tenantId, effect.callId, [target], `dial:${effect.callId}`);
    expectOk('inviteNumber', result);
  }

  async callStatus(callId: string): Promise<CallStatus> {
    const result = await this.client.getCall(this.tenantOf(callId), callId);
    if (result.ok) return { exists: true, ...(result.body?.state && { state: result.body.state }) };
    if (result.status === 404) return { exists: false };
    throw new GraphRequestError('getCall', result);
  }

  private tenantOf(callId: string): string {
    return this.options.tenantOf(callId) ?? this.options.defaultTenantId;
  }

  /** The caller is the participant that is neither an application (the bot) nor an invited agent. */
  private async callerParticipant(tenantId: string, callId: string): Promise<string> {
    const invitedIds = new Set(this.invited.get(callId)?.values() ?? []);
    const id = await this.findParticipant(
      tenantId,
      callId,
      (p) => !invitedIds.has(p.id) && !p.info?.identity?.['application'] && !p.info?.identity?.['applicationInstance']
    );
    if (!id) throw new Error(`no caller participant found on call ${callId}`);
    return id;
  }

  private async findParticipant(
    tenantId: string,
    callId: string,
    predicate: (p: GraphParticipant) => boolean
  ): Promise<string | undefined> {
    const result = await this.client.listParticipants(tenantId, callId);
    if (!result.ok) {
      if (result.status === 404) return undefined;
      throw new GraphRequestError('listParticipants', result);
    }
    return result.body?.value?.find(predicate)?.id;
  }
}

function userIdOf(participant: GraphParticipant): string | undefined {
  return participant.info?.identity?.['user']?.id?.toLowerCase();
}

function expectOk(
  operation: string,
  result: GraphResult<unknown>
): asserts result is Extract<typeof result, { ok: true }> {
  if (!result.ok) throw new GraphRequestError(operation, result);
}

function expectOkOrGone(operation: string, result: GraphResult<unknown>): void {
  if (!result.ok && result.status !== 404) throw new GraphRequestError(operation, result);
}
