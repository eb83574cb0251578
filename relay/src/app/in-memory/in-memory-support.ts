import type { ConfigSnapshot } from '../../domain/config.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { ConfigSource } from '../../ports/config-source.port.ts';
import type { Logger } from '../../ports/logger.port.ts';
import type { TimerScheduler } from '../../ports/timer-scheduler.port.ts';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: string) {}
  now(): string {
    return this.current;
  }
  set(instant: string): void {
    this.current = instant;
  }
}

/** Timers that fire only when a test advances them (`fireDue`), never on their own. */
export class ManualTimerScheduler implements TimerScheduler {
  readonly armed = new Map<string, { at: string; onFire: (timerId: string) => void }>();
  schedule(timerId: string, at: string, onFire: (timerId: string) => void): void {
    this.armed.set(timerId, { at, onFire });
  }
  cancel(timerId: string): void {
    this.armed.delete(timerId);
  }
  /** Fire every timer due at `now`; returns the ids fired. */
  fireDue(now: string): string[] {
    const due = [...this.armed].filter(([, t]) => t.at <= now);
    for (const [id, timer] of due) {
      this.armed.delete(id);
      timer.onFire(id);
    }
    return due.map(([id]) => id);
  }
}

/** A config source returning whatever snapshot the test sets. */
export class StaticConfigSource implements ConfigSource {
  constructor(public snapshot: ConfigSnapshot) {}
  load(): Promise<ConfigSnapshot> {
    return Promise.resolve(this.snapshot);
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

/** Keeps log lines for assertions. */
export class MemoryLogger implements Logger {
  readonly lines: LogLine[] = [];
  debug(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, ...(fields ? { fields } : {}) });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
}
