// The simulated Teams tenant: calls on the bot, Teams clients per user (ringing/accept/decline/hang up) and
// presence. Graph routes (server.ts) and the control API drive it; it emits calling webhooks through `send`.
import { randomUUID } from 'node:crypto';
import * as n from './notifications.ts';
import type { DirectoryLine, DirectoryUser } from './directory.ts';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

type PartyKind = 'caller' | 'bot' | 'user' | 'phone' | 'app';
export interface Participant {
  id: string;
  kind: PartyKind;
  key: string;
  displayName?: string;
  state: 'ringing' | 'active' | 'left';
  onHold: boolean;
}

/** `outbound` (B09): a call the bot placed rings its target user directly. */
type RingKind = 'invite' | 'redirect' | 'transfer' | 'outbound';
export interface Ring {
  callId: string;
  kind: RingKind;
  opId?: string;
  since: string;
}

export interface SimCall {
  id: string;
  tenantId: string;
  state: string;
  callbackUri?: string;
  callerNumber: string;
  callerName?: string;
  line: DirectoryLine;
  myParticipantId: string;
  chainId: string;
  participants: Participant[];
  isGroup: boolean;
  etag: number;
  rosterSeq: number;
  /**
   * Fault injection (B01), Graph's reordering: the call's first roster (caller and bot, before the agent) is held
   * back and delivered right after the next one, so an older rosterSequenceNumber arrives after a newer one.
   */
  reorderFirstRoster?: boolean;
  heldRoster?: n.Json;
  createdAt: string;
  /** For redirect/transfer: who ended up with the caller once the bot's leg was gone. */
  handedTo?: string;
  ops: Map<string, { type: string; clientContext?: string; targetKey?: string }>;
  timers: NodeJS.Timeout[];
  /** B09: the bot placed this call (POST /communications/calls); `callerNumber` is then the line it calls from. */
  outbound?: boolean;
}

/** B09: how a PSTN number answers when the bot calls it in (default: it answers after `autoAnswerMs`). */
export type PhoneBehaviour = 'answer' | 'busy' | 'noAnswer' | 'fail';

export interface PresenceState {
  availability: string;
  activity: string;
}

interface UserState {
  user: DirectoryUser;
  rings: Ring[];
  client: PresenceState;
  appSessions: Map<string, PresenceState & { expiresAt: number }>;
  preferred?: PresenceState & { expiresAt: number };
  seq: number;
}

export interface WorldOptions {
  tenantId: string;
  botAppId: string;
  botDisplayName?: string;
  users: DirectoryUser[];
  lines: DirectoryLine[];
  /** Bot's global calling webhook (incoming calls go here). */
  notificationUrl: string;
  /** PSTN / app-instance targets answer after this delay (ms). */
  autoAnswerMs?: number;
  /** Incoming calls the bot leaves alone are dropped after this (Graph: ~15 s). 0 = never. */
  unansweredTimeoutMs?: number;
  send: (url: string, body: n.Json, call: SimCall) => Promise<void>;
}

const AVAILABILITY_RANK = ['DoNotDisturb', 'Busy', 'Available', 'AvailableIdle', 'Away', 'BeRightBack', 'Offline'];

function parseIsoDurationMs(d: unknown, fallbackMs: number): number {
  const m = typeof d === 'string' ? /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(d) : null;
  if (!m) return fallbackMs;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

export class TeamsWorld {
  readonly calls = new Map<string, SimCall>();
  /** B09: PSTN numbers that do not simply answer when invited (control API `PUT /_sim/phones/:number`). */
  readonly phones = new Map<string, PhoneBehaviour>();
  private readonly users = new Map<string, UserState>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly globalTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly opts: WorldOptions) {
    for (const u of opts.users) {
      this.users.set(u.id, {
        user: u,
        rings: [],
        client: { availability: 'Available', activity: 'Available' },
        appSessions: new Map(),
        seq: 0
      });
    }
  }

  // ---------- lookups ----------
  user(idOrUpn: string): UserState {
    const u =
      this.users.get(idOrUpn) ??
      [...this.users.values()].find((s) => s.user.upn.toLowerCase() === idOrUpn.toLowerCase());
    if (!u) throw new GraphError(404, 'UnknownError', `User ${idOrUpn} not found`);
    return u;
  }

  call(id: string): SimCall {
    const c = this.calls.get(id);
    if (!c || c.state === 'terminated') throw new GraphError(404, '8505', `Call ${id} not found or already ended`);
    return c;
  }

  userView(idOrUpn: string) {
    const u = this.user(idOrUpn);
    const inCalls = [...this.calls.values()]
      .filter(
        (c) =>
          c.state !== 'terminated' &&
          c.participants.some((p) => p.kind === 'user' && p.key === u.user.id && p.state === 'active')
      )
      .map((c) => c.id);
    return { ...u.user, ringing: u.rings, inCalls, presence: this.presence(u.user.id) };
  }

  callView(c: SimCall) {
    return {
      '@odata.type': '#microsoft.graph.call',
      id: c.id,
      state: c.state,
      direction: c.outbound ? 'outgoing' : 'incoming',
      callbackUri: c.callbackUri ?? null,
      callChainId: c.chainId,
      myParticipantId: c.myParticipantId,
      tenantId: c.tenantId,
      source: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: n.identitySet('phone', c.callerNumber, c.callerName)
      },
      targets: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: n.identitySet('applicationInstance', c.line.appInstanceId, c.line.displayName, c.tenantId)
        }
      ],
      requestedModalities: ['audio']
    };
  }

  // ---------- notification plumbing ----------
  private emit(c: SimCall, body: n.Json, url?: string): Promise<void> {
    const target = url ?? c.callbackUri ?? this.opts.notificationUrl;
    // Per-call ordering, like one SBC leg: each webhook waits for the previous one.
    const prev = this.chains.get(c.id) ?? Promise.resolve();
    const next = prev.then(() => this.opts.send(target, body, c)).catch(() => undefined);
    this.chains.set(c.id, next);
    return next;
  }

  /** Resolves when every queued webhook has been delivered (tests and the CLI wait on it). */
  async settled(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private later(c: SimCall | undefined, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.globalTimers.delete(t);
      try {
        fn();
      } catch {
        // The call moved on (e.g. caller hung up) before the timer fired; nothing to do.
      }
    }, ms);
    t.unref();
    this.globalTimers.add(t);
    c?.timers.push(t);
  }

  private identityOf(p: Participant): n.Json {
    switch (p.kind) {
      case 'caller':
      case 'phone':
        return n.identitySet('phone', p.key, p.displayName);
      case 'bot':
        return n.identitySet('application', this.opts.botAppId, this.opts.botDisplayName ?? 'Teams Relay');
      case 'app':
        return n.identitySet('applicationInstance', p.key, p.displayName, this.opts.tenantId);
      default:
        return n.identitySet('user', p.key, p.displayName, this.opts.tenantId);
    }
  }

  /** How long Graph takes to complete a hold-music operation (fault tests make it long enough to crash inside). */
  operationDelayMs = 20;

  private sendRoster(c: SimCall): void {
    if (!c.isGroup) return;
    c.rosterSeq += 1;
    const active = c.participants.filter((p) => p.state === 'active');
    const body = n.roster(
      c.id,
      c.callbackUri ?? this.opts.notificationUrl,
      active.map((p) => ({ id: p.id, identity: this.identityOf(p), isMuted: false, onHold: p.onHold })),
      c.rosterSeq
    );
    if (c.reorderFirstRoster && c.rosterSeq === 1) {
      c.heldRoster = body;
      return;
    }
    void this.emit(c, body);
    if (c.heldRoster) {
      void this.emit(c, c.heldRoster);
      delete c.heldRoster;
    }
  }

  private stopRinging(callId: string, filter: (r: Ring) => boolean = () => true): void {
    for (const u of this.users.values()) u.rings = u.rings.filter((r) => !(r.callId === callId && filter(r)));
  }

  private terminate(c: SimCall, opts: Parameters<typeof n.callTerminated>[1]): void {
    if (c.state === 'terminated') return;
    c.state = 'terminated';
    for (const t of c.timers) clearTimeout(t);
    for (const p of c.participants) p.state = 'left';
    this.stopRinging(c.id);
    void this.emit(c, n.callTerminated(c.id, opts));
  }

  private resolveTarget(info: unknown): { kind: PartyKind; key: string; displayName?: string } {
    const ident = ((info as { identity?: Record<string, { id?: string; displayName?: string }> })?.identity ??
      {}) as Record<string, { id?: string; displayName?: string }>;
    if (ident.user?.id) return { kind: 'user', key: ident.user.id, displayName: ident.user.displayName };
    if (ident.phone?.id) return { kind: 'phone', key: ident.phone.id };
    if (ident.applicationInstance?.id)
      return { kind: 'app', key: ident.applicationInstance.id, displayName: ident.applicationInstance.displayName };
    throw new GraphError(400, 'BadRequest', 'The target identity is not supported by the simulator');
  }

  private ringUser(userId: string, ring: Ring): void {
    const u = this.user(userId);
    const c = this.calls.get(ring.callId);
    if (
      ring.kind !== 'invite' &&
      c &&
      (this.presence(userId) as { availability?: string }).availability === 'DoNotDisturb'
    ) {
      // As Teams does for a user in Do Not Disturb: a call redirected or transferred to them does not ring; their
      // unanswered-call settings take it (here: their voicemail answers), as if nobody had picked up.
      const voicemail = `voicemail:${userId}`;
      this.later(c, this.opts.autoAnswerMs ?? 100, () =>
        ring.kind === 'redirect' ? this.redirectAnswered(c, voicemail) : this.transferAnswered(c, voicemail)
      );
      return;
    }
    u.rings.push(ring);
  }

  // ---------- caller side (control API) ----------
  placeCall(input: { from: string; to: string; callerName?: string; reorderFirstRoster?: boolean }): SimCall {
    const line = this.opts.lines.find((l) => l.phoneNumber === input.to || l.appInstanceId === input.to);
    if (!line) throw new GraphError(404, 'UnknownLine', `No line ${input.to} in the simulated tenant`);
    const c: SimCall = {
      id: randomUUID(),
      tenantId: this.opts.tenantId,
      state: 'incoming',
      callerNumber: input.from,
      callerName: input.callerName,
      line,
      myParticipantId: randomUUID(),
      chainId: randomUUID(),
      participants: [],
      isGroup: false,
      etag: 5445,
      rosterSeq: 0,
      ...(input.reorderFirstRoster && { reorderFirstRoster: true }),
      createdAt: new Date().toISOString(),
      ops: new Map(),
      timers: []
    };
    c.participants.push({
      id: randomUUID(),
      kind: 'caller',
      key: input.from,
      displayName: input.callerName,
      state: 'active',
      onHold: false
    });
    c.participants.push({
      id: c.myParticipantId,
      kind: 'bot',
      key: this.opts.botAppId,
      state: 'active',
      onHold: false
    });
    this.calls.set(c.id, c);
    void this.emit(
      c,
      n.incomingCall({
        callId: c.id,
        tenantId: c.tenantId,
        callbackUri: this.opts.notificationUrl,
        callerNumber: c.callerNumber,
        callerName: c.callerName,
        appInstanceId: line.appInstanceId,
        lineName: line.displayName,
        myParticipantId: c.myParticipantId,
        callChainId: c.chainId
      }),
      this.opts.notificationUrl
    );
    const timeout = this.opts.unansweredTimeoutMs ?? 15_000;
    if (timeout > 0) {
      this.later(c, timeout, () => {
        if (c.state === 'incoming')
          this.terminate(c, {
            result: { code: 408, subcode: 1106, message: 'Call acceptance was not acknowledged in time.' }
          });
      });
    }
    return c;
  }

  /**
   * B09: POST /communications/calls — the bot places a call from a resource account (`source.identity.
   * applicationInstance`, required for PSTN) to one Teams user, who rings; the call is `established` once they
   * accept. Then the bot may invite a number into it (`invite`, which makes it a group call).
   */
  createCall(body: n.Json): n.Json {
    const source = (body.source as { identity?: Record<string, { id?: string } | undefined> } | undefined)?.identity
      ?.applicationInstance?.id;
    const line = this.opts.lines.find((l) => l.appInstanceId === source);
    if (!line) throw new GraphError(403, '7505', 'source.identity.applicationInstance is not a resource account here');
    if (typeof body.callbackUri !== 'string' || body.callbackUri === '')
      throw new GraphError(400, 'BadRequest', 'callbackUri is required');
    if (!Array.isArray(body.requestedModalities) || !body.mediaConfig)
      throw new GraphError(400, 'BadRequest', 'requestedModalities and mediaConfig are required');
    const targets = Array.isArray(body.targets) ? body.targets : [];
    if (targets.length !== 1) throw new GraphError(400, 'BadRequest', 'targets must hold exactly one entry');
    const t = this.resolveTarget(targets[0]);
    if (t.kind !== 'user') throw new GraphError(400, 'BadRequest', 'the simulator places calls to Teams users only');
    const target = this.user(t.key).user;
    const c: SimCall = {
      id: randomUUID(),
      tenantId: this.opts.tenantId,
      state: 'establishing',
      callbackUri: body.callbackUri,
      callerNumber: line.phoneNumber,
      callerName: line.displayName,
      line,
      myParticipantId: randomUUID(),
      chainId: randomUUID(),
      participants: [],
      isGroup: false,
      etag: 5445,
      rosterSeq: 0,
      createdAt: new Date().toISOString(),
      ops: new Map(),
      timers: [],
      outbound: true
    };
    c.participants.push({
      id: c.myParticipantId,
      kind: 'bot',
      key: this.opts.botAppId,
      state: 'active',
      onHold: false
    });
    c.participants.push({
      id: randomUUID(),
      kind: 'user',
      key: target.id,
      displayName: target.displayName,
      state: 'ringing',
      onHold: false
    });
    this.calls.set(c.id, c);
    this.ringUser(target.id, { callId: c.id, kind: 'outbound', since: new Date().toISOString() });
    void this.emit(c, n.callState(c.id, 'establishing', c.etag));
    this.later(c, 60_000, () => {
      if (c.state === 'establishing')
        this.terminate(c, { result: { code: 408, subcode: 10057, message: 'No signalling from callee endpoints.' } });
    });
    return this.callView(c);
  }

  /** B09: the Teams user answered the call the bot placed. */
  private outboundAnswered(c: SimCall, userId: string): void {
    if (c.state !== 'establishing') return;
    const p = c.participants.find((x) => x.kind === 'user' && x.key === userId && x.state === 'ringing');
    if (p) p.state = 'active';
    c.state = 'established';
    void this.emit(
      c,
      n.callState(c.id, 'established', c.etag, {
        mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' }
      })
    );
  }

  callerHangup(callId: string): void {
    const c = this.call(callId);
    if (c.state === 'incoming' || c.state === 'redirecting') {
      // No answeredBy: that is how the bot tells "abandoned" from "answered elsewhere" (graph-calls.md §3).
      this.terminate(c, {
        result: { code: 200, subcode: 560000, message: 'Call ended by PSTN user', camelSubCode: true }
      });
      return;
    }
    if (c.state === 'redirected' || c.state === 'transferred') {
      c.state = 'terminated';
      this.stopRinging(c.id);
      return;
    }
    this.terminate(c, {
      result: { code: 200, subcode: 560000, message: 'Call ended by PSTN user', camelSubCode: true }
    });
  }

  // ---------- Graph call control ----------
  answer(callId: string, body: n.Json): void {
    const c = this.call(callId);
    if (c.state !== 'incoming') throw new GraphError(400, 'BadRequest', `Call is ${c.state}, not incoming`);
    if (!Array.isArray(body.acceptedModalities) || !body.mediaConfig) {
      throw new GraphError(400, 'BadRequest', 'acceptedModalities and mediaConfig are required');
    }
    if (typeof body.callbackUri === 'string') c.callbackUri = body.callbackUri;
    c.state = 'establishing';
    void this.emit(c, n.callState(c.id, 'establishing', c.etag));
    this.later(c, 20, () => {
      if (c.state !== 'establishing') return;
      c.state = 'established';
      void this.emit(
        c,
        n.callState(c.id, 'established', c.etag, {
          mediaState: { '@odata.type': '#microsoft.graph.callMediaState', audio: 'active' }
        })
      );
    });
  }

  reject(callId: string, body: n.Json): void {
    const c = this.call(callId);
    if (c.state !== 'incoming') throw new GraphError(400, 'BadRequest', `Call is ${c.state}, not incoming`);
    if (typeof body.callbackUri === 'string') c.callbackUri = body.callbackUri;
    this.terminate(c, { bare: true });
  }

  redirect(callId: string, body: n.Json): void {
    const c = this.call(callId);
    if (c.state !== 'incoming') throw new GraphError(400, 'BadRequest', 'Only an unanswered call can be redirected');
    const targets = Array.isArray(body.targets) ? body.targets : [];
    if (targets.length < 1 || targets.length > 25)
      throw new GraphError(400, 'BadRequest', 'targets must hold 1 to 25 entries');
    if (typeof body.callbackUri === 'string') c.callbackUri = body.callbackUri;
    const resolved = targets.map((t) => this.resolveTarget(t));
    c.state = 'redirecting';
    for (const t of resolved) {
      if (t.kind === 'user') this.ringUser(t.key, { callId: c.id, kind: 'redirect', since: new Date().toISOString() });
      else this.later(c, this.opts.autoAnswerMs ?? 100, () => this.redirectAnswered(c, t.key));
    }
    const timeoutS = typeof body.timeout === 'number' ? body.timeout : resolved.length > 1 ? 60 : 55;
    this.later(c, timeoutS * 1000, () => {
      if (c.state === 'redirecting')
        this.terminate(c, { result: { code: 408, subcode: 10057, message: 'No signalling from callee endpoints.' } });
    });
  }

  private redirectAnswered(c: SimCall, key: string): void {
    if (c.state !== 'redirecting') return;
    this.stopRinging(c.id);
    this.terminate(c, {
      result: { code: 200, subcode: 5001, message: 'The conversation has ended.' },
      extra: { answeredBy: n.encryptedIdentity(Buffer.from(key).toString('base64')) }
    });
    // The bot's leg is gone, but caller and target keep talking: the simulator still tracks them.
    c.state = 'redirected';
    c.handedTo = key;
    for (const p of c.participants) if (p.kind === 'caller') p.state = 'active';
    c.participants.push({
      id: randomUUID(),
      kind: this.users.has(key) ? 'user' : 'phone',
      key,
      state: 'active',
      onHold: false
    });
  }

  transfer(callId: string, body: n.Json): void {
    const c = this.call(callId);
    if (c.state !== 'established')
      throw new GraphError(400, 'BadRequest', 'Only an established call can be transferred');
    const t = this.resolveTarget(body.transferTarget);
    c.state = 'transferring';
    void this.emit(c, n.callState(c.id, 'transferring', c.etag));
    if (t.kind === 'user') this.ringUser(t.key, { callId: c.id, kind: 'transfer', since: new Date().toISOString() });
    else this.later(c, this.opts.autoAnswerMs ?? 100, () => this.transferAnswered(c, t.key));
  }

  private transferAnswered(c: SimCall, key: string): void {
    if (c.state !== 'transferring') return;
    c.state = 'transferAccepted';
    void this.emit(c, n.callState(c.id, 'transferAccepted', c.etag));
    this.terminate(c, { result: { code: 0, subcode: 7015, message: 'GracefulTransferCompleted' } });
    c.state = 'transferred';
    c.handedTo = key;
    for (const p of c.participants) if (p.kind === 'caller') p.state = 'active';
    c.participants.push({
      id: randomUUID(),
      kind: this.users.has(key) ? 'user' : 'phone',
      key,
      state: 'active',
      onHold: false
    });
  }

  private transferFailed(c: SimCall): void {
    if (c.state !== 'transferring') return;
    c.state = 'established';
    void this.emit(
      c,
      n.callState(c.id, 'established', c.etag, {
        resultInfo: n.resultInfo({ code: 500, subcode: 7700, message: 'Transfer target declined.' })
      })
    );
  }

  invite(callId: string, body: n.Json): n.Json {
    const c = this.call(callId);
    // After a 202 to answer the call is the bot's: Graph queues an invite sent while it is still establishing (the
    // relay answers and invites in parallel); nothing documented refuses it, so only calls not answered are refused.
    if (c.state !== 'established' && c.state !== 'establishing')
      throw new GraphError(400, 'BadRequest', 'Participants can only be invited to an answered call');
    const list = Array.isArray(body.participants) ? body.participants : [];
    if (list.length < 1) throw new GraphError(400, 'BadRequest', 'participants is required');
    const opId = randomUUID();
    const clientContext = typeof body.clientContext === 'string' ? body.clientContext : undefined;
    const t = this.resolveTarget(list[0]);
    c.ops.set(opId, { type: '#microsoft.graph.inviteParticipantsOperation', clientContext, targetKey: t.key });
    c.isGroup = true;
    const pid = randomUUID();
    c.participants.push({
      id: pid,
      kind: t.kind,
      key: t.key,
      displayName: t.displayName,
      state: 'ringing',
      onHold: false
    });
    const behaviour = t.kind === 'phone' ? (this.phones.get(t.key) ?? 'answer') : 'answer';
    if (t.kind === 'user')
      this.ringUser(t.key, { callId: c.id, kind: 'invite', opId, since: new Date().toISOString() });
    else if (behaviour !== 'answer')
      this.later(c, this.opts.autoAnswerMs ?? 100, () => this.phoneRefused(c, opId, behaviour));
    else this.later(c, this.opts.autoAnswerMs ?? 100, () => this.inviteAnswered(c, opId));
    this.sendRoster(c);
    return {
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: opId,
      status: 'running',
      clientContext: clientContext ?? null,
      resultInfo: null,
      // Graph echoes each invitee with the participant id it got, which is how a bot can cancel the invite later.
      participants: list.map((x: unknown) => ({ ...(x as n.Json), participantId: pid }))
    };
  }

  private inviteAnswered(c: SimCall, opId: string): void {
    const op = c.ops.get(opId);
    if (!op || c.state === 'terminated') return;
    const p = c.participants.find((x) => x.key === op.targetKey && x.state === 'ringing');
    if (!p) return;
    p.state = 'active';
    c.ops.delete(opId);
    this.sendRoster(c);
    void this.emit(
      c,
      n.operationDone(c.id, opId, op.type, 'completed', op.clientContext, { code: 200, subcode: 0, message: 'Success' })
    );
  }

  /** B09: the number called did not take the call: busy (486), no answer (408) or the PSTN call failed (500). */
  private phoneRefused(c: SimCall, opId: string, behaviour: Exclude<PhoneBehaviour, 'answer'>): void {
    const results: Record<typeof behaviour, n.ResultInfo> = {
      busy: { code: 486, subcode: 0, message: 'Busy here.' },
      noAnswer: { code: 408, subcode: 10057, message: 'No signalling from callee endpoints.' },
      fail: { code: 500, subcode: 9999, message: 'The PSTN call failed.' }
    };
    if (c.state === 'terminated') return;
    this.inviteFailed(c, opId, results[behaviour]);
    this.sendRoster(c);
  }

  private inviteFailed(c: SimCall, opId: string, result: n.ResultInfo): void {
    const op = c.ops.get(opId);
    if (!op) return;
    c.ops.delete(opId);
    const p = c.participants.find((x) => x.key === op.targetKey && x.state === 'ringing');
    if (p) p.state = 'left';
    void this.emit(c, n.operationDone(c.id, opId, op.type, 'failed', op.clientContext, result));
  }

  hangUp(callId: string): void {
    const c = this.call(callId);
    c.state = 'terminating';
    this.terminate(c, { result: { code: '200', subcode: '5001', message: 'The conversation has ended.' } });
  }

  keepAlive(callId: string): void {
    const c = this.call(callId);
    if (c.state === 'redirected' || c.state === 'transferred') throw new GraphError(404, '8505', 'Call not found');
  }

  removeParticipant(callId: string, pid: string): void {
    const c = this.call(callId);
    const p = c.participants.find((x) => x.id === pid && x.state !== 'left');
    if (!p) throw new GraphError(404, 'NotFound', `Participant ${pid} not found`);
    if (p.state === 'ringing') {
      // Cancelling an invite: the invitee's Teams stops ringing; the operation ends without a roster change.
      p.state = 'left';
      for (const [opId, op] of c.ops) if (op.targetKey === p.key) c.ops.delete(opId);
      this.stopRinging(c.id, (r) => r.kind === 'invite');
      return;
    }
    this.leave(c, p);
  }

  /** GET …/participants: everyone still in the call or being invited, as Graph participants. */
  listParticipants(callId: string): n.Json {
    const c = this.call(callId);
    return {
      value: c.participants
        .filter((p) => p.state !== 'left')
        .map((p) => ({
          '@odata.type': '#microsoft.graph.participant',
          id: p.id,
          info: { '@odata.type': '#microsoft.graph.participantInfo', identity: this.identityOf(p) },
          isMuted: false,
          isInLobby: false
        }))
    };
  }

  holdMusic(callId: string, pid: string, on: boolean, body: n.Json): n.Json {
    const c = this.call(callId);
    const p = c.participants.find((x) => x.id === pid && x.state === 'active');
    if (!p) throw new GraphError(404, 'NotFound', `Participant ${pid} not found`);
    if (on && c.participants.some((x) => x.onHold && x.id !== pid)) {
      throw new GraphError(400, 'BadRequest', 'Only one participant can be on hold at a time');
    }
    const opId = randomUUID();
    const type = on ? '#microsoft.graph.startHoldMusicOperation' : '#microsoft.graph.stopHoldMusicOperation';
    const clientContext = typeof body.clientContext === 'string' ? body.clientContext : undefined;
    this.later(c, this.operationDelayMs, () => {
      p.onHold = on;
      void this.emit(c, n.operationDone(c.id, opId, type, 'completed', clientContext));
    });
    return { '@odata.type': type, id: opId, status: 'running', clientContext: clientContext ?? null };
  }

  // ---------- Teams client actions (control API) ----------
  private pickRing(u: UserState, callId?: string): Ring {
    const r = u.rings.find((x) => !callId || x.callId === callId);
    if (!r) throw new GraphError(409, 'NotRinging', `${u.user.upn} has no ringing call${callId ? ` ${callId}` : ''}`);
    return r;
  }

  accept(userId: string, callId?: string): Ring {
    const u = this.user(userId);
    const r = this.pickRing(u, callId);
    u.rings = u.rings.filter((x) => x !== r);
    const c = this.calls.get(r.callId)!;
    if (r.kind === 'invite') this.inviteAnswered(c, r.opId!);
    if (r.kind === 'redirect') this.redirectAnswered(c, u.user.id);
    if (r.kind === 'transfer') this.transferAnswered(c, u.user.id);
    if (r.kind === 'outbound') this.outboundAnswered(c, u.user.id);
    return r;
  }

  decline(userId: string, callId?: string): Ring {
    const u = this.user(userId);
    const r = this.pickRing(u, callId);
    u.rings = u.rings.filter((x) => x !== r);
    const c = this.calls.get(r.callId)!;
    if (r.kind === 'invite')
      this.inviteFailed(c, r.opId!, { code: 603, subcode: 0, message: 'Call declined by the user.' });
    if (r.kind === 'transfer') this.transferFailed(c);
    if (r.kind === 'outbound')
      this.terminate(c, { result: { code: 603, subcode: 0, message: 'Call declined by the user.' } });
    if (r.kind === 'redirect' && !this.anyoneRinging(c.id)) {
      this.terminate(c, { result: { code: 480, subcode: 10076, message: 'Callee not reachable.' } });
    }
    return r;
  }

  private anyoneRinging(callId: string): boolean {
    return [...this.users.values()].some((u) => u.rings.some((r) => r.callId === callId));
  }

  private leave(c: SimCall, p: Participant): void {
    p.state = 'left';
    p.onHold = false;
    if (c.state === 'redirected' || c.state === 'transferred') {
      c.state = 'terminated';
      return;
    }
    const others = c.participants.filter((x) => x.state === 'active' && x.kind !== 'bot');
    if (p.kind === 'caller' || others.length === 0) {
      this.terminate(c, { result: { code: 200, subcode: 5002, message: 'All other participants left.' } });
      return;
    }
    this.sendRoster(c);
  }

  hangupAsUser(userId: string, callId?: string): string {
    const u = this.user(userId);
    const c = [...this.calls.values()].find(
      (x) =>
        (!callId || x.id === callId) &&
        x.participants.some((p) => p.kind === 'user' && p.key === u.user.id && p.state === 'active')
    );
    if (!c) throw new GraphError(409, 'NotInCall', `${u.user.upn} is not in a call`);
    this.leave(
      c,
      c.participants.find((p) => p.kind === 'user' && p.key === u.user.id && p.state === 'active')!
    );
    return c.id;
  }

  /** The agent adds someone from their Teams client: the new party joins the (group) call at once. */
  addParticipantAsUser(userId: string, callId: string, target: { userId?: string; phone?: string }): void {
    const c = this.call(callId);
    this.user(userId);
    const key = target.userId ?? target.phone;
    if (!key) throw new GraphError(400, 'BadRequest', 'target.userId or target.phone is required');
    c.isGroup = true;
    const kind: PartyKind = target.userId ? 'user' : 'phone';
    if (target.userId) this.user(target.userId);
    c.participants.push({
      id: randomUUID(),
      kind,
      key,
      displayName: target.userId ? this.user(target.userId).user.displayName : undefined,
      state: 'active',
      onHold: false
    });
    this.sendRoster(c);
  }

  /** The agent transfers from their Teams client: the agent leaves, the target joins. */
  transferAsUser(userId: string, callId: string, target: { userId?: string; phone?: string }): void {
    const u = this.user(userId);
    const c = this.call(callId);
    const me = c.participants.find((p) => p.kind === 'user' && p.key === u.user.id && p.state === 'active');
    if (!me) throw new GraphError(409, 'NotInCall', `${u.user.upn} is not in call ${callId}`);
    const key = target.userId ?? target.phone;
    if (!key) throw new GraphError(400, 'BadRequest', 'target.userId or target.phone is required');
    me.state = 'left';
    c.participants.push({
      id: randomUUID(),
      kind: target.userId ? 'user' : 'phone',
      key,
      state: 'active',
      onHold: false
    });
    this.sendRoster(c);
  }

  // ---------- presence ----------
  presence(userId: string): n.Json {
    const u = this.user(userId);
    const now = Date.now();
    for (const [k, s] of u.appSessions) if (s.expiresAt <= now) u.appSessions.delete(k);
    if (u.preferred && u.preferred.expiresAt <= now) u.preferred = undefined;
    let agg: PresenceState;
    const inCall = [...this.calls.values()].some(
      (c) =>
        c.state !== 'terminated' &&
        c.participants.some((p) => p.kind === 'user' && p.key === u.user.id && p.state === 'active')
    );
    if (u.preferred) {
      agg = { availability: u.preferred.availability, activity: u.preferred.activity };
    } else {
      const sessions: PresenceState[] = [
        inCall && !['DoNotDisturb', 'Offline'].includes(u.client.availability)
          ? { availability: 'Busy', activity: 'InACall' }
          : u.client,
        ...u.appSessions.values()
      ];
      const rank = (s: PresenceState) => {
        const i = AVAILABILITY_RANK.indexOf(s.availability);
        return i < 0 ? AVAILABILITY_RANK.length : i;
      };
      agg = sessions.sort((a, b) => rank(a) - rank(b))[0]!;
    }
    return {
      '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('" + u.user.id + "')/presence/$entity",
      id: u.user.id,
      availability: agg.availability,
      activity: agg.activity,
      statusMessage: null,
      outOfOfficeSettings: { message: null, isOutOfOffice: agg.activity === 'OutOfOffice' },
      sequenceNumber: `C${String(u.seq).padStart(12, '0')}`
    };
  }

  setClientPresence(userId: string, p: PresenceState): void {
    const u = this.user(userId);
    u.client = { availability: p.availability, activity: p.activity };
    u.seq += 1;
  }

  setPresence(userId: string, body: n.Json): void {
    const u = this.user(userId);
    const { sessionId, availability, activity } = body as Record<string, string>;
    if (!sessionId || !availability || !activity)
      throw new GraphError(400, 'BadRequest', 'sessionId, availability and activity are required');
    if (sessionId !== this.opts.botAppId)
      throw new GraphError(400, 'BadRequest', 'sessionId must be the application id');
    u.appSessions.set(sessionId, {
      availability,
      activity,
      expiresAt: Date.now() + parseIsoDurationMs(body.expirationDuration, 5 * 60_000)
    });
    u.seq += 1;
  }

  clearPresence(userId: string, body: n.Json): void {
    const u = this.user(userId);
    const sessionId = typeof body.sessionId === 'string' ? body.sessionId : '';
    if (!u.appSessions.delete(sessionId)) throw new GraphError(404, 'NotFound', `No presence session ${sessionId}`);
    u.seq += 1;
  }

  setPreferred(userId: string, body: n.Json): void {
    const u = this.user(userId);
    const { availability, activity } = body as Record<string, string>;
    if (!availability || !activity) throw new GraphError(400, 'BadRequest', 'availability and activity are required');
    const dflt = ['DoNotDisturb', 'Busy'].includes(availability) ? 24 * 3600_000 : 7 * 24 * 3600_000;
    u.preferred = { availability, activity, expiresAt: Date.now() + parseIsoDurationMs(body.expirationDuration, dflt) };
    u.seq += 1;
  }

  clearPreferred(userId: string): void {
    const u = this.user(userId);
    u.preferred = undefined;
    u.seq += 1;
  }

  stop(): void {
    for (const t of this.globalTimers) clearTimeout(t);
    this.globalTimers.clear();
  }
}
