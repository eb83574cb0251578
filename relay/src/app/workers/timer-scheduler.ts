/**
 * The in-process alarm for the engine's durable timers (CallRelay re-arms them from the stored world at start).
 * setTimeout cannot wait longer than ~24.8 days, so long timers are re-armed in steps.
 */
import type { TimerScheduler } from '../../ports/timer-scheduler.port.ts';

const MAX_DELAY_MS = 2 ** 31 - 1;

export class NodeTimerScheduler implements TimerScheduler {
  private readonly handles = new Map<string, NodeJS.Timeout>();

  constructor(private readonly now: () => number = Date.now) {}

  schedule(timerId: string, at: string, onFire: (timerId: string) => void): void {
    this.cancel(timerId);
    const due = Date.parse(at);
    const wait = Math.max(0, (Number.isNaN(due) ? 0 : due) - this.now());
    const handle = setTimeout(
      () => {
        this.handles.delete(timerId);
        if (wait > MAX_DELAY_MS) this.schedule(timerId, at, onFire);
        else onFire(timerId);
      },
      Math.min(wait, MAX_DELAY_MS)
    );
    handle.unref();
    this.handles.set(timerId, handle);
  }

  cancel(timerId: string): void {
    clearTimeout(this.handles.get(timerId));
    this.handles.delete(timerId);
  }

  cancelAll(): void {
    for (const id of [...this.handles.keys()]) this.cancel(id);
  }

  get size(): number {
    return this.handles.size;
  }
}
