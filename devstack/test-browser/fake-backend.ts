// A tiny stand-in for the Salesforce emulator's preview contract, for browser tests that need exact control:
// the Apex controller calls, the demo users, records, and CometD (faye) for TeamsCallEvent__e. DEVELOPMENT ONLY.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { PreviewUser } from '../src/salesforce-emulator/apex/preview-org.ts';

const require = createRequire(import.meta.url);

interface FayeMessage {
  channel: string;
}
interface FayeAdapter {
  attach(server: unknown): void;
  addExtension(extension: { outgoing(message: FayeMessage, callback: (m: FayeMessage) => void): void }): void;
  on(event: 'subscribe', listener: (clientId: string, channel: string) => void): void;
  getClient(): { publish(channel: string, data: unknown): unknown; disconnect(): void };
  close(): void;
}
const faye = require('faye') as { NodeAdapter: new (options: { mount: string; timeout: number }) => FayeAdapter };

export type { PreviewUser };

export type ApexHandler = (params: Record<string, unknown>, userId: string | null) => unknown;

export interface ApexCall {
  className: string;
  method: string;
  params: Record<string, unknown>;
  userId: string | null;
}

export interface FakeBackendOptions {
  users: PreviewUser[];
  /** "Class.method" → handler; a handler that throws answers 500 `{ message }`, as an AuraHandledException. */
  apex: Record<string, ApexHandler>;
  records?: Record<string, { objectApiName: string; name: string; fields?: Record<string, unknown> }>;
  /**
   * Holds every /meta/subscribe reply back this long, while the subscription is already live on the server: events
   * published meanwhile reach the client on its /meta/connect before it hears that its subscription succeeded.
   */
  subscribeReplyDelayMs?: number;
}

export interface FakeBackend {
  url: string;
  apexCalls: ApexCall[];
  /** Publishes a platform event as the emulator does: `{ payload, event: { replayId } }`; returns the replay id. */
  publish(channel: string, payload: Record<string, unknown>): number;
  /** Resolves once a CometD client has subscribed to `channel` (since start). */
  waitForSubscriber(channel: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeBackend(options: FakeBackendOptions): Promise<FakeBackend> {
  const apexCalls: ApexCall[] = [];
  const subscribed = new Set<string>();
  const waiters: Array<{ channel: string; resolve: () => void }> = [];
  let replayId = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const userHeader = req.headers['x-preview-user'];
      const userId = typeof userHeader === 'string' && userHeader ? userHeader : null;
      if (req.method === 'GET' && url.pathname === '/_preview/users') return sendJson(res, 200, options.users);
      const record = /^\/_preview\/records\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && record) {
        const found = options.records?.[decodeURIComponent(record[1] ?? '')];
        return found
          ? sendJson(res, 200, { id: record[1], ...found })
          : sendJson(res, 404, { message: 'No such record' });
      }
      const apex = /^\/_preview\/apex\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/.exec(url.pathname);
      if (req.method === 'POST' && apex) {
        const [, className = '', method = ''] = apex;
        const text = await readBody(req);
        const params = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        apexCalls.push({ className, method, params, userId });
        const handler = options.apex[`${className}.${method}`];
        if (!handler) return sendJson(res, 404, { message: `The fake backend has no ${className}.${method}` });
        try {
          return sendJson(res, 200, (await handler(params, userId)) ?? null);
        } catch (error) {
          return sendJson(res, 500, { message: error instanceof Error ? error.message : String(error) });
        }
      }
      return sendJson(res, 404, { message: `Not found: ${url.pathname}` });
    })();
  });

  const bayeux = new faye.NodeAdapter({ mount: '/cometd/67.0', timeout: 10 });
  bayeux.attach(server);
  const delayMs = options.subscribeReplyDelayMs ?? 0;
  if (delayMs > 0) {
    bayeux.addExtension({
      outgoing(message, callback) {
        if (message.channel === '/meta/subscribe') setTimeout(() => callback(message), delayMs);
        else callback(message);
      }
    });
  }
  bayeux.on('subscribe', (_clientId, channel) => {
    subscribed.add(channel);
    for (const waiter of waiters.filter((w) => w.channel === channel)) waiter.resolve();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apexCalls,
    publish(channel, payload) {
      replayId += 1;
      bayeux.getClient().publish(channel, { payload, event: { replayId } });
      return replayId;
    },
    waitForSubscriber(channel, timeoutMs = 15_000) {
      if (subscribed.has(channel)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No CometD subscriber on ${channel} within ${timeoutMs} ms`)),
          timeoutMs
        );
        waiters.push({
          channel,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        bayeux.getClient().disconnect();
        bayeux.close();
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
