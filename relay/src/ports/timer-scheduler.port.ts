/**
 * Wakes the app at a timer's due time. Timers are durable in the world (WorldStore); the scheduler is only the
 * in-process alarm, re-armed from the world at start. Scheduling an existing id replaces it.
 */
export interface TimerScheduler {
  schedule(timerId: string, at: string, onFire: (timerId: string) => void): void;
  cancel(timerId: string): void;
}
