/**
 * Graph `commsNotifications` → normalized, still Graph-shaped items (graph-calls.md §2, fixtures README quirks).
 * Pure and total: a malformed body is a typed error, an item we cannot classify is an `unknown` item with a
 * reason — nothing here throws, so the webhook can answer 400 or count the item instead of crashing.
 */

export type ChangeType = 'created' | 'updated' | 'deleted';

export interface ResultInfo {
  code: number;
  subcode: number;
  message?: string;
}

/** One identity from a `communicationsIdentitySet`, flattened: which member was set and its fields. */
export interface GraphIdentity {
  kind: 'user' | 'phone' | 'application' | 'applicationInstance' | 'guest' | 'encrypted' | 'other';
  id?: string;
  displayName?: string;
  tenantId?: string;
}

interface ItemBase {
  /** Position in `value[]`, so logs and the support CLI can point at the item. */
  index: number;
  changeType?: ChangeType;
  /** `callbackUri` from the notification or from `resourceData` (either level is used by Graph). */
  callbackUri?: string;
  /** The resource path normalized to `/communications/calls/{id}[/…]`. */
  resourcePath?: string;
}

export interface IncomingCallItem extends ItemBase {
  kind: 'incomingCall';
  callId: string;
  tenantId?: string;
  /** E.164 number when the caller is PSTN. */
  callerNumber?: string;
  callerName?: string;
  caller?: GraphIdentity;
  /** What was dialled: normally the resource account (`applicationInstance`) owning the number. */
  dialled?: GraphIdentity;
  callChainId?: string;
  myParticipantId?: string;
  /** The call was transferred in (incomingContext.transferor). */
  transferredIn: boolean;
}

export interface CallStateItem extends ItemBase {
  kind: 'callState';
  callId: string;
  /** Graph call state; absent on partial updates (e.g. media only). `deleted` without a state means terminated. */
  state?: string;
  resultInfo?: ResultInfo;
  terminationReason?: string;
  /** Redirect completed: set when a target answered (the identity is usually `encrypted`). */
  answeredBy?: GraphIdentity;
  audioMediaState?: 'active' | 'inactive';
}

export interface RosterParticipant {
  id: string;
  teamsUserId?: string;
  phone?: string;
  applicationId?: string;
  displayName?: string;
  inLobby?: boolean;
  muted?: boolean;
  /** An audio stream exists and is not `inactive`. */
  mediaActive?: boolean;
  removed?: boolean;
}

export interface RosterItem extends ItemBase {
  kind: 'roster';
  callId: string;
  participants: RosterParticipant[];
  rosterSequenceNumber?: number;
}

export interface OperationItem extends ItemBase {
  kind: 'operation';
  callId: string;
  operationId: string;
  /** e.g. `startHoldMusicOperation`, without the `#microsoft.graph.` prefix. */
  operationType?: string;
  clientContext?: string;
  status?: string;
  resultInfo?: ResultInfo;
}

export interface UnknownItem extends ItemBase {
  kind: 'unknown';
  callId?: string;
  reason: string;
}

export type GraphNotificationItem = IncomingCallItem | CallStateItem | RosterItem | OperationItem | UnknownItem;

export type NotificationParseErrorReason = 'not-json' | 'not-an-object' | 'missing-value-array' | 'empty-value-array';

export interface NotificationParseError {
  reason: NotificationParseErrorReason;
  detail: string;
}

export type NotificationParseResult =
  { ok: true; items: GraphNotificationItem[] } | { ok: false; error: NotificationParseError };

/** Accepts the parsed JSON body, or the raw text/Buffer (support CLI, captured bodies). */
export function parseCommsNotifications(body: unknown): NotificationParseResult {
  let json = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      json = JSON.parse(body.toString()) as unknown;
    } catch (error) {
      return bad('not-json', error instanceof Error ? error.message : 'invalid JSON');
    }
  }
  if (!isRecord(json)) return bad('not-an-object', 'body must be a JSON object');
  const value = json['value'];
  if (!Array.isArray(value)) return bad('missing-value-array', 'body has no "value" array of commsNotification');
  if (value.length === 0) return bad('empty-value-array', '"value" is empty');
  return { ok: true, items: value.map((item, index) => parseItem(item, index)) };
}

function bad(reason: NotificationParseErrorReason, detail: string): NotificationParseResult {
  return { ok: false, error: { reason, detail } };
}

const CALL_PATH = /^\/?(?:communications|app)\/calls\/([^/?#]+)(\/[^?#]*)?/i;

function parseItem(raw: unknown, index: number): GraphNotificationItem {
  if (!isRecord(raw)) return { kind: 'unknown', index, reason: 'item is not an object' };
  const changeType = asChangeType(raw['changeType']);
  const data = raw['resourceData'];
  const dataObject = isRecord(data) ? data : undefined;
  const callbackUri = str(raw['callbackUri']) ?? str(dataObject?.['callbackUri']);
  const url = str(raw['resourceUrl']) ?? str(raw['resource']) ?? str(dataObject?.['@odata.id']);
  const match = url ? CALL_PATH.exec(url) : null;
  const callId = match?.[1] ?? str(dataObject?.['id']);
  const subPath = (match?.[2] ?? '').replace(/\/+$/, '');
  const base: ItemBase = {
    index,
    ...(changeType && { changeType }),
    ...(callbackUri && { callbackUri }),
    ...(callId && { resourcePath: `/communications/calls/${callId}${subPath}` })
  };
  if (!callId) return { ...base, kind: 'unknown', reason: `no call id in resourceUrl/resource (${url ?? 'absent'})` };
  if (data === undefined || data === null) {
    // A `deleted` call notification can arrive without resourceData after a reject (graph-calls.md §2.3c).
    if (subPath === '' && changeType === 'deleted') return { ...base, kind: 'callState', callId, state: 'terminated' };
    return { ...base, callId, kind: 'unknown', reason: 'no resourceData' };
  }

  const odataType = str(dataObject?.['@odata.type'])?.replace(/^#?microsoft\.graph\./i, '');
  if (Array.isArray(data) || odataType === 'participant' || /^\/participants(\/|$)/i.test(subPath)) {
    return parseRoster(base, callId, data);
  }
  if (!dataObject) return { ...base, callId, kind: 'unknown', reason: 'resourceData is neither object nor array' };
  const operationPath = /^\/operations\/([^/]+)$/i.exec(subPath);
  if (odataType?.endsWith('Operation') || operationPath) {
    const operationId = operationPath?.[1] ?? str(dataObject['id']);
    if (!operationId) return { ...base, callId, kind: 'unknown', reason: 'operation without an id' };
    return {
      ...base,
      kind: 'operation',
      callId,
      operationId,
      ...optional('operationType', odataType),
      ...optional('clientContext', str(dataObject['clientContext'])),
      ...optional('status', str(dataObject['status'])),
      ...optional('resultInfo', parseResultInfo(dataObject['resultInfo']))
    };
  }
  if ((odataType === 'call' || odataType === undefined) && subPath === '') return parseCall(base, callId, dataObject);
  return { ...base, callId, kind: 'unknown', reason: `unhandled resource ${odataType ?? '?'} at ${subPath || '/'}` };
}

function parseCall(base: ItemBase, callId: string, data: Record<string, unknown>): GraphNotificationItem {
  const state = str(data['state']);
  if (base.changeType === 'created' || state === 'incoming') {
    const source = isRecord(data['source']) ? data['source'] : undefined;
    const caller = identityOf(source?.['identity']);
    const targets = Array.isArray(data['targets']) ? data['targets'] : [];
    const firstTarget: unknown = targets[0];
    const dialled = isRecord(firstTarget) ? identityOf(firstTarget['identity']) : undefined;
    const incomingContext = isRecord(data['incomingContext']) ? data['incomingContext'] : undefined;
    return {
      ...base,
      kind: 'incomingCall',
      callId,
      ...optional('tenantId', str(data['tenantId'])),
      ...optional('callerNumber', caller?.kind === 'phone' ? caller.id : undefined),
      ...optional('callerName', caller?.displayName),
      ...optional('caller', caller),
      ...optional('dialled', dialled),
      ...optional('callChainId', str(data['callChainId'])),
      ...optional('myParticipantId', str(data['myParticipantId'])),
      transferredIn: isRecord(incomingContext?.['transferor'])
    };
  }
  const audio = isRecord(data['mediaState']) ? data['mediaState']['audio'] : undefined;
  const mediaState = audio === 'active' || audio === 'inactive' ? audio : undefined;
  const answeredBy = isRecord(data['answeredBy']) ? identityOf(data['answeredBy']['identity']) : undefined;
  return {
    ...base,
    kind: 'callState',
    callId,
    ...optional('state', state ?? (base.changeType === 'deleted' ? 'terminated' : undefined)),
    ...optional('resultInfo', parseResultInfo(data['resultInfo'])),
    ...optional('terminationReason', str(data['terminationReason'])),
    ...optional('answeredBy', answeredBy),
    ...optional<'audioMediaState', 'active' | 'inactive'>('audioMediaState', mediaState)
  };
}

function parseRoster(base: ItemBase, callId: string, data: unknown): GraphNotificationItem {
  const list = Array.isArray(data) ? data : [data];
  const participants: RosterParticipant[] = [];
  let sequence: number | undefined;
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const id = str(entry['id']);
    if (!id) continue;
    const info = isRecord(entry['info']) ? entry['info'] : undefined;
    const identity = identityOf(info?.['identity']);
    const streams = Array.isArray(entry['mediaStreams']) ? entry['mediaStreams'].filter(isRecord) : [];
    const audio = streams.find((s) => s['mediaType'] === 'audio');
    const seq = toInt(entry['rosterSequenceNumber']);
    if (seq !== undefined) sequence = Math.max(sequence ?? seq, seq);
    participants.push({
      id,
      ...optional('teamsUserId', identity?.kind === 'user' ? identity.id : undefined),
      ...optional('phone', identity?.kind === 'phone' ? identity.id : undefined),
      ...optional('applicationId', identity?.kind === 'application' ? identity.id : undefined),
      ...optional('displayName', identity?.displayName),
      ...optional('inLobby', bool(entry['isInLobby'])),
      ...optional('muted', bool(entry['isMuted'])),
      ...(streams.length > 0 && { mediaActive: audio !== undefined && audio['direction'] !== 'inactive' }),
      ...(entry['removedState'] != null && { removed: true })
    });
  }
  if (participants.length === 0 && list.length > 0) {
    return { ...base, callId, kind: 'unknown', reason: 'roster without any participant id' };
  }
  return { ...base, kind: 'roster', callId, participants, ...optional('rosterSequenceNumber', sequence) };
}

const IDENTITY_KINDS = ['user', 'phone', 'applicationInstance', 'application', 'guest', 'encrypted'] as const;

function identityOf(set: unknown): GraphIdentity | undefined {
  if (!isRecord(set)) return undefined;
  for (const kind of IDENTITY_KINDS) {
    const identity = set[kind];
    if (isRecord(identity)) {
      return {
        kind,
        ...optional('id', str(identity['id'])),
        ...optional('displayName', str(identity['displayName'])),
        ...optional('tenantId', str(identity['tenantId']))
      };
    }
  }
  const other = Object.entries(set).find(([key, value]) => !key.startsWith('@') && isRecord(value));
  if (!other || !isRecord(other[1])) return undefined;
  return {
    kind: 'other',
    ...optional('id', str(other[1]['id'])),
    ...optional('displayName', str(other[1]['displayName']))
  };
}

/** `code`/`subcode` arrive as numbers or numeric strings, and `subcode` is sometimes spelt `subCode`. */
function parseResultInfo(raw: unknown): ResultInfo | undefined {
  if (!isRecord(raw)) return undefined;
  const code = toInt(raw['code']);
  if (code === undefined) return undefined;
  return {
    code,
    subcode: toInt(raw['subcode'] ?? raw['subCode']) ?? 0,
    ...optional('message', str(raw['message']))
  };
}

/** A key that is stable across duplicate deliveries of the same change (graph-calls.md §11); etags are not. */
export function deduplicationKey(item: GraphNotificationItem): string {
  const path = item.resourcePath ?? `#${item.index}`;
  switch (item.kind) {
    case 'incomingCall':
      return `${path}|incoming`;
    case 'callState':
      return `${path}|${item.state ?? '-'}|${resultKey(item.resultInfo)}|${item.audioMediaState ?? '-'}`;
    case 'operation':
      return `${path}|${item.status ?? '-'}|${resultKey(item.resultInfo)}`;
    case 'roster':
      return `${path}|${item.rosterSequenceNumber ?? rosterFingerprint(item.participants)}`;
    case 'unknown':
      return `${path}|unknown|${item.reason}`;
  }
}

function resultKey(result: ResultInfo | undefined): string {
  return result ? `${result.code}/${result.subcode}` : '-';
}

function rosterFingerprint(participants: RosterParticipant[]): string {
  return participants
    .map((p) => `${p.id}:${p.inLobby ? 'L' : ''}${p.mediaActive ? 'A' : ''}${p.removed ? 'R' : ''}`)
    .sort()
    .join(',');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number.parseInt(value, 10);
  return undefined;
}

function asChangeType(value: unknown): ChangeType | undefined {
  return value === 'created' || value === 'updated' || value === 'deleted' ? value : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
