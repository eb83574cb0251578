/** Structured logger (pino in production). Put `callId` in fields; never full phone numbers or tokens. */
export interface Logger {
  /** Per-request and per-poll detail (Graph responses, skipped items); off at the default `info` level. */
  debug?(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
