/** Counts every Graph call-control and presence effect by type and outcome, without changing what it does. */
import type { CallControl } from '../../ports/call-control.port.ts';
import type { RelayMetrics } from '../../ports/metrics.port.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';

async function count(metrics: RelayMetrics, type: string, run: () => Promise<void>) {
  try {
    await run();
    metrics.effect(type, 'executed');
  } catch (error) {
    metrics.effect(type, 'failed');
    throw error;
  }
}

async function countValue<T>(metrics: RelayMetrics, type: string, run: () => Promise<T>): Promise<T> {
  let value: T | undefined;
  await count(metrics, type, async () => {
    value = await run();
  });
  return value as T;
}

export function meteredCallControl(inner: CallControl, metrics: RelayMetrics): CallControl {
  return {
    answer: (e) => count(metrics, e.type, () => inner.answer(e)),
    inviteAgent: (e) => count(metrics, e.type, () => inner.inviteAgent(e)),
    cancelInvite: (e) => count(metrics, e.type, () => inner.cancelInvite(e)),
    removeParticipant: (e) => count(metrics, e.type, () => inner.removeParticipant(e)),
    startHoldMusic: (e) => count(metrics, e.type, () => inner.startHoldMusic(e)),
    stopHoldMusic: (e) => count(metrics, e.type, () => inner.stopHoldMusic(e)),
    transfer: (e) => count(metrics, e.type, () => inner.transfer(e)),
    redirect: (e) => count(metrics, e.type, () => inner.redirect(e)),
    hangUp: (e) => count(metrics, e.type, () => inner.hangUp(e)),
    ...(inner.placeCall && { placeCall: (e) => countValue(metrics, e.type, () => inner.placeCall!(e)) }),
    ...(inner.inviteNumber && { inviteNumber: (e) => count(metrics, e.type, () => inner.inviteNumber!(e)) }),
    callStatus: (callId) => inner.callStatus(callId)
  };
}

export function meteredPresence(inner: PresenceGateway, metrics: RelayMetrics): PresenceGateway {
  return {
    setPresence: (e) => count(metrics, e.type, () => inner.setPresence(e)),
    clearPresence: (e) => count(metrics, e.type, () => inner.clearPresence(e)),
    readPresences: (ids) => inner.readPresences(ids)
  };
}
