/**
 * The relay's HTTP server: the Graph calling webhook (global URL and per-call callbacks), liveness, readiness with
 * each dependency named, and Prometheus metrics. `close()` (fastify) stops accepting and lets requests in flight
 * finish; the composition root closes the store after it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../ports/logger.port.ts';
import { registerCallingWebhook, type CallingWebhookDeps } from './calling-webhook.route.ts';

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** A named readiness probe (store, graph, salesforce, config…). Throwing counts as not ready. */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

export interface ServerDeps {
  webhook: Omit<CallingWebhookDeps, 'registry' | 'log'>;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  log?: Logger;
  /** Per-check limit so a hanging dependency makes /readyz answer "not ready" instead of hanging. */
  checkTimeoutMs?: number;
  bodyLimitBytes?: number;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024, return503OnClosing: true });
  registerCallingWebhook(app, { ...deps.webhook, registry: deps.registry, ...(deps.log && { log: deps.log }) });

  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(
        async ([name, check]) => [name, await probe(check, deps.checkTimeoutMs ?? 2000)] as const
      )
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, result]) => result.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.registry.metrics();
    return reply.header('content-type', deps.registry.contentType).send(body);
  });

  // fastify answers malformed JSON with 400 itself; keep its reason but never echo the body back.
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.log?.error('request failed', { error: error.message });
    return reply.code(status).send({ error: status === 500 ? 'internal-error' : (error.code ?? 'bad-request') });
  });

  return app;
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
