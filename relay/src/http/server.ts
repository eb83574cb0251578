/**
 * The relay's HTTP server: the Graph calling webhook (global URL and per-call callbacks), liveness, readiness with
 * each dependency named, and Prometheus metrics. `close()` (fastify) stops accepting and lets requests in flight
 * finish; the composition root closes the store after it.
 *
 * `/readyz` and `/metrics` name the org and the relay's internals, so only the operator's network may read them:
 * either on a separate listener (`buildOpsServer`, RELAY_OPS_PORT) or, when there is none, on the webhook's port
 * for loopback peers only (a request that came through a proxy — any X-Forwarded-For — is not loopback).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../ports/logger.port.ts';
import { registerAgentStream, type AgentStreamDeps } from './agent-stream.route.ts';
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
  /**
   * Where `/readyz` and `/metrics` are served: `loopback` (default) on this server for loopback peers only,
   * `elsewhere` when a separate ops listener (`buildOpsServer`) serves them.
   */
  ops?: 'loopback' | 'elsewhere';
  /** B10: the agents' streams (`/api/agent-stream`); off without it. */
  stream?: Omit<AgentStreamDeps, 'log'>;
}

export type OpsDeps = Pick<ServerDeps, 'registry' | 'checks' | 'log' | 'checkTimeoutMs'>;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** A peer on this host that did not come through a proxy. */
export function isLoopbackPeer(request: FastifyRequest): boolean {
  return LOOPBACK.has(request.socket.remoteAddress ?? '') && request.headers['x-forwarded-for'] === undefined;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024, return503OnClosing: true });
  registerCallingWebhook(app, { ...deps.webhook, registry: deps.registry, ...(deps.log && { log: deps.log }) });
  if (deps.stream) registerAgentStream(app, { ...deps.stream, ...(deps.log && { log: deps.log }) });
  app.get('/healthz', () => ({ status: 'ok' }));
  if ((deps.ops ?? 'loopback') === 'loopback') registerOpsRoutes(app, deps, isLoopbackPeer);
  setErrorHandler(app, deps.log);
  return app;
}

/** The operator's listener: liveness, readiness and metrics, nothing else. */
export function buildOpsServer(deps: OpsDeps): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true });
  app.get('/healthz', () => ({ status: 'ok' }));
  registerOpsRoutes(app, deps, () => true);
  setErrorHandler(app, deps.log);
  return app;
}

function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps, allowed: (request: FastifyRequest) => boolean) {
  // Refused as if absent: nothing tells a stranger that there is something here.
  const guard = {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      if (!allowed(request)) return reply.code(404).send({ error: 'not-found' });
      return undefined;
    }
  };

  app.get('/readyz', guard, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(
        async ([name, check]) => [name, await probe(check, deps.checkTimeoutMs ?? 2000)] as const
      )
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, result]) => result.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });

  app.get('/metrics', guard, async (_request, reply) => {
    const body = await deps.registry.metrics();
    return reply.header('content-type', deps.registry.contentType).send(body);
  });
}

function setErrorHandler(app: FastifyInstance, log: Logger | undefined): void {
  // fastify answers malformed JSON with 400 itself; keep its reason but never echo the body back.
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log?.error('request failed', { error: error.message });
    return reply.code(status).send({ error: status === 500 ? 'internal-error' : (error.code ?? 'bad-request') });
  });
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
