/**
 * Reconciliation with Graph (B01: no stranded calls). Webhooks can be lost — the relay was down when the caller hung
 * up, an operation's completion died with a crash — so the relay asks Graph what became of its calls in progress:
 * all of them on the first pass after start, a call on a keepAlive 404, a call whose operation or routing outcome is
 * overdue, and every call periodically. Graph's answer goes to the engine as a `CallObserved` input: the domain,
 * not this worker, decides what changed (`reconcileDue` and `decide`).
 */
import { reconcileDue } from '../../domain/decide.ts';
import type { Input, World } from '../../domain/model.ts';
import type { CallStatus } from '../../ports/call-control.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import { errorMessage } from './loop.ts';

export class Reconciler {
  /** When Graph was last asked about each call in progress (this process only: a restart asks about all). */
  private readonly lastObserved = new Map<string, string>();
  private firstPassDone = false;

  constructor(
    private readonly world: () => World,
    private readonly status: (callId: string) => Promise<CallStatus>,
    private readonly handle: (input: Input) => Promise<unknown>,
    private readonly clock: Clock,
    private readonly logger: Logger
  ) {}

  /** Asks Graph about every call that is due; returns how many calls were asked about. */
  async pass(): Promise<number> {
    const now = this.clock.now();
    const calls = Object.values(this.world().calls);
    for (const id of this.lastObserved.keys()) if (this.world().calls[id] === undefined) this.lastObserved.delete(id);
    const all = !this.firstPassDone;
    let asked = 0;
    for (const call of calls) {
      if (all || reconcileDue(call, now, this.lastObserved.get(call.callId) ?? call.startedAt)) {
        if (await this.observe(call.callId, all)) asked += 1;
      }
    }
    this.firstPassDone = true;
    return asked;
  }

  /** Asks Graph about one call now (e.g. its keepAlive answered 404); false when Graph could not say. */
  async observe(callId: string, afterRestart = false): Promise<boolean> {
    let status: CallStatus;
    try {
      status = await this.status(callId);
    } catch (error) {
      this.logger.warn('could not ask Graph about a call; will ask again', { callId, error: errorMessage(error) });
      return false;
    }
    const at = this.clock.now();
    this.lastObserved.set(callId, at);
    await this.handle({
      type: 'CallObserved',
      callId,
      at,
      exists: status.exists,
      ...(status.state !== undefined && { state: status.state }),
      ...(afterRestart && { afterRestart })
    });
    return true;
  }
}
