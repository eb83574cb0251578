import type { CallControlEffect, EffectType } from '../../domain/model.ts';
import type { CallControl, CallStatus } from '../../ports/call-control.port.ts';

/**
 * Graph call control in memory: records every request it accepted, in order, and refuses the effect types a test
 * asks it to (as Graph would with a 4xx/5xx). `hangAfter` simulates a process crash: from that request on, promises
 * never settle, as if the process died mid-step.
 */
export class InMemoryCallControl implements CallControl {
  readonly requests: CallControlEffect[] = [];
  private readonly refusals = new Map<EffectType, string>();
  hangAfter: number | undefined;
  /** What `callStatus` answers per call (default: the call exists and is established). */
  readonly statuses = new Map<string, CallStatus>();
  /** Calls asked about through `callStatus`, in order. */
  readonly statusRequests: string[] = [];

  refuse(type: EffectType, error = `${type} refused`): void {
    this.refusals.set(type, error);
  }

  accept(type: EffectType): void {
    this.refusals.delete(type);
  }

  private take(effect: CallControlEffect): Promise<void> {
    if (this.hangAfter !== undefined && this.requests.length >= this.hangAfter)
      return new Promise<void>(() => undefined);
    const refusal = this.refusals.get(effect.type);
    if (refusal !== undefined) return Promise.reject(new Error(refusal));
    this.requests.push(effect);
    return Promise.resolve();
  }

  answer = (effect: Parameters<CallControl['answer']>[0]): Promise<void> => this.take(effect);
  inviteAgent = (effect: Parameters<CallControl['inviteAgent']>[0]): Promise<void> => this.take(effect);
  cancelInvite = (effect: Parameters<CallControl['cancelInvite']>[0]): Promise<void> => this.take(effect);
  removeParticipant = (effect: Parameters<CallControl['removeParticipant']>[0]): Promise<void> => this.take(effect);
  startHoldMusic = (effect: Parameters<CallControl['startHoldMusic']>[0]): Promise<void> => this.take(effect);
  stopHoldMusic = (effect: Parameters<CallControl['stopHoldMusic']>[0]): Promise<void> => this.take(effect);
  transfer = (effect: Parameters<CallControl['transfer']>[0]): Promise<void> => this.take(effect);
  redirect = (effect: Parameters<CallControl['redirect']>[0]): Promise<void> => this.take(effect);
  hangUp = (effect: Parameters<CallControl['hangUp']>[0]): Promise<void> => this.take(effect);
  callStatus = (callId: string): Promise<CallStatus> => {
    this.statusRequests.push(callId);
    return Promise.resolve(this.statuses.get(callId) ?? { exists: true, state: 'established' });
  };
}
