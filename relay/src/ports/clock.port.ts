/** Wall clock; injected so the engine's inputs and the tests are deterministic. */
export interface Clock {
  /** ISO-8601 instant. */
  now(): string;
}
