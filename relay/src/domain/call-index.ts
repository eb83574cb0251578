/**
 * B15: the calls in progress of each agent, so routing and presence do not scan every call on each step. An index
 * belongs to one `calls` map object: built on first use, then kept up to date by the engine's writes to that map
 * (`noteCallWritten`), so a step that writes in place (`decide(…, { inPlace: true })`) never rebuilds it.
 */
import type { CallSession } from './model.ts';

type Calls = Record<string, CallSession>;
const indexes = new WeakMap<Calls, Map<string, Set<string>>>();

function add(index: Map<string, Set<string>>, call: CallSession): void {
  if (call.agentUserId === undefined) return;
  const ids = index.get(call.agentUserId);
  if (ids) ids.add(call.callId);
  else index.set(call.agentUserId, new Set([call.callId]));
}

/** The calls in progress (any phase but Ended) that name this agent. */
export function callsOfAgent(calls: Calls, agentUserId: string): CallSession[] {
  let index = indexes.get(calls);
  if (index === undefined) {
    index = new Map();
    for (const call of Object.values(calls)) add(index, call);
    indexes.set(calls, index);
  }
  const found: CallSession[] = [];
  for (const id of index.get(agentUserId) ?? []) {
    const call = calls[id];
    if (call?.agentUserId === agentUserId) found.push(call);
  }
  return found;
}

/** Keep the map's index (if one was built) in step with a write of `calls[callId]` from `before` to `after`. */
export function noteCallWritten(
  calls: Calls,
  callId: string,
  before: CallSession | undefined,
  after: CallSession | undefined
): void {
  const index = indexes.get(calls);
  if (index === undefined || before?.agentUserId === after?.agentUserId) return;
  if (before?.agentUserId !== undefined) index.get(before.agentUserId)?.delete(callId);
  if (after !== undefined) add(index, after);
}
