// commsNotifications envelopes in the documented shapes (payloads/ holds the doc examples they follow),
// including the documented quirks: string vs number result codes, subcode vs subCode, the legacy `resource`
// twin, a missing leading slash on operation URLs, and an array resourceData for rosters.

export type Json = Record<string, unknown>;

export interface ResultInfo {
  code: number | string;
  subcode: number | string;
  message: string;
  /** Emit `subCode` instead of `subcode` (seen in real traffic). */
  camelSubCode?: boolean;
}

const ODATA = '@odata.type';

export function envelope(...items: Json[]): Json {
  return { [ODATA]: '#microsoft.graph.commsNotifications', value: items };
}

function item(changeType: string, resourceUrl: string, resourceData: unknown, extra: Json = {}): Json {
  return { [ODATA]: '#microsoft.graph.commsNotification', changeType, resourceUrl, resourceData, ...extra };
}

export function resultInfo(r: ResultInfo): Json {
  return {
    [ODATA]: '#microsoft.graph.resultInfo',
    code: r.code,
    [r.camelSubCode ? 'subCode' : 'subcode']: r.subcode,
    message: r.message
  };
}

export function identity(id: string, displayName?: string, tenantId?: string): Json {
  const out: Json = { [ODATA]: '#microsoft.graph.identity', id };
  if (displayName !== undefined) out.displayName = displayName;
  if (tenantId !== undefined) out.tenantId = tenantId;
  return out;
}

export type IdentityKind = 'user' | 'phone' | 'application' | 'applicationInstance';

export function identitySet(kind: IdentityKind, id: string, displayName?: string, tenantId?: string): Json {
  return { [ODATA]: '#microsoft.graph.identitySet', [kind]: identity(id, displayName, tenantId) };
}

export interface IncomingCall {
  callId: string;
  tenantId: string;
  callbackUri: string;
  callerNumber: string;
  callerName?: string;
  appInstanceId: string;
  lineName: string;
  myParticipantId: string;
  callChainId: string;
}

/** Shape of payloads/incoming-call-pstn.json plus the legacy `resource` twin. */
export function incomingCall(c: IncomingCall): Json {
  return envelope(
    item(
      'created',
      `/communications/calls/${c.callId}`,
      {
        [ODATA]: '#microsoft.graph.call',
        state: 'incoming',
        direction: 'incoming',
        callbackUri: c.callbackUri,
        callChainId: c.callChainId,
        source: {
          [ODATA]: '#microsoft.graph.participantInfo',
          identity: identitySet('phone', c.callerNumber, c.callerName),
          region: 'amer'
        },
        targets: [
          {
            [ODATA]: '#microsoft.graph.invitationParticipantInfo',
            identity: identitySet('applicationInstance', c.appInstanceId, c.lineName, c.tenantId),
            endpointType: 'default',
            id: c.myParticipantId,
            region: 'amer',
            languageId: null
          }
        ],
        tenantId: c.tenantId,
        myParticipantId: c.myParticipantId,
        id: c.callId
      },
      { resource: `/app/calls/${c.callId}` }
    )
  );
}

/** Partial call object, as in payloads/call-establishing.json and call-established.json. */
export function callState(callId: string, state: string, etag: number, extra: Json = {}): Json {
  return envelope(
    item('updated', `/communications/calls/${callId}`, {
      [ODATA]: '#microsoft.graph.call',
      '@odata.id': `/communications/calls/${callId}`,
      '@odata.etag': `W/"${etag}"`,
      state,
      ...extra
    })
  );
}

/** `deleted` + `terminated`; `bare` reproduces the reject case that carries neither state nor resultInfo. */
export function callTerminated(callId: string, opts: { result?: ResultInfo; bare?: boolean; extra?: Json } = {}): Json {
  const data: Json = { [ODATA]: '#microsoft.graph.call' };
  if (!opts.bare) {
    data.state = 'terminated';
    if (opts.result) data.resultInfo = resultInfo(opts.result);
    Object.assign(data, opts.extra ?? {});
  }
  return envelope(item('deleted', `/communications/calls/${callId}`, data));
}

export interface RosterEntry {
  id: string;
  identity: Json;
  isMuted: boolean;
  onHold: boolean;
}

/** payloads/participants-updated.json: resourceData is an array of participants. */
export function roster(callId: string, callbackUri: string, entries: RosterEntry[], sequence: number): Json {
  return envelope(
    item(
      'updated',
      `/communications/calls/${callId}/participants`,
      entries.map((p) => ({
        [ODATA]: '#microsoft.graph.participant',
        info: { [ODATA]: '#microsoft.graph.participantInfo', identity: p.identity, languageId: 'en-US' },
        mediaStreams: [
          {
            [ODATA]: '#microsoft.graph.mediaStream',
            mediaType: 'audio',
            sourceId: '1',
            direction: p.onHold ? 'receiveOnly' : 'sendReceive',
            serverMuted: false
          }
        ],
        isMuted: p.isMuted,
        isInLobby: false,
        rosterSequenceNumber: sequence,
        id: p.id
      })),
      { callbackUri }
    )
  );
}

/** payloads/operation-completed-start-hold-music.json — note the missing leading slash, kept on purpose. */
export function operationDone(
  callId: string,
  opId: string,
  odataType: string,
  status: 'completed' | 'failed',
  clientContext: string | undefined,
  result?: ResultInfo
): Json {
  const url = `communications/calls/${callId}/operations/${opId}`;
  const data: Json = {
    [ODATA]: odataType,
    '@odata.id': url,
    '@odata.etag': 'W/"54451"',
    clientContext: clientContext ?? null,
    status
  };
  if (result) data.resultInfo = resultInfo(result);
  return envelope(item('deleted', url, data));
}

/** payloads/call-redirect-terminated-answered.json: the answering party comes back encrypted. */
export function encryptedIdentity(opaque: string): Json {
  return {
    [ODATA]: '#microsoft.graph.participantInfo',
    identity: { [ODATA]: '#microsoft.graph.identitySet', encrypted: identity(opaque) },
    endpointType: 'default'
  };
}
