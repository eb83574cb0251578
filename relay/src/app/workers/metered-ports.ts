/** Counts every Graph call-control and presence effect by type and outcome, without changing what it does. */
import * as prom from 'prom-client';
import type { Registry } from 'prom-client';
import type { CallControl } from '../../ports/call-control.port.ts';
import type { PresenceGateway } from '../../ports/presence-gateway.port.ts';

export function effectCounter(registry?: Registry): prom.Counter<'type' | 'outcome'> {
  return new prom.Counter({
    name: 'relay_effects_total',
    help: 'Graph effects executed, by effect type and outcome (executed, failed).',
    labelNames: ['type', 'outcome'],
    registers: registry ? [registry] : []
  });
}

async function count(counter: prom.Counter<'type' | 'outcome'>, type: string, run: () => Promise<void>) {
  try {
    await run();
    counter.inc({ type, outcome: 'executed' });
  } catch (error) {
    counter.inc({ type, outcome: 'failed' });
    throw error;
  }
}

export function meteredCallControl(inner: CallControl, counter: prom.Counter<'type' | 'outcome'>): CallControl {
  return {
    answer: (e) => count(counter, e.type, () => inner.answer(e)),
    inviteAgent: (e) => count(counter, e.type, () => inner.inviteAgent(e)),
    cancelInvite: (e) => count(counter, e.type, () => inner.cancelInvite(e)),
    removeParticipant: (e) => count(counter, e.type, () => inner.removeParticipant(e)),
    startHoldMusic: (e) => count(counter, e.type, () => inner.startHoldMusic(e)),
    stopHoldMusic: (e) => count(counter, e.type, () => inner.stopHoldMusic(e)),
    transfer: (e) => count(counter, e.type, () => inner.transfer(e)),
    redirect: (e) => count(counter, e.type, () => inner.redirect(e)),
    hangUp: (e) => count(counter, e.type, () => inner.hangUp(e))
  };
}

export function meteredPresence(inner: PresenceGateway, counter: prom.Counter<'type' | 'outcome'>): PresenceGateway {
  return {
    setPresence: (e) => count(counter, e.type, () => inner.setPresence(e)),
    clearPresence: (e) => count(counter, e.type, () => inner.clearPresence(e)),
    readPresences: (ids) => inner.readPresences(ids)
  };
}
