// A tiny stand-in for the Salesforce emulator's preview contract and the relay's agent stream, for browser tests
// that need exact control: the Apex controller calls, the demo users, records, and the softphone's live events
// (B10: Server-Sent Events as the relay sends them, behind the token TeamsStreamAccessController hands out).
// DEVELOPMENT ONLY.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PreviewUser } from '../src/salesforce-emulator/apex/preview-org.ts';

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
}

export interface FakeBackend {
  url: string;
  apexCalls: ApexCall[];
  /** Sends an event on the agent stream of the user it names (`AgentUserId__c`), as the relay does; returns its id. */
  sendToAgent(event: Record<string, unknown>): string;
  /** Resolves once a softphone has opened its agent stream (since start). */
  waitForStream(timeoutMs?: number): Promise<void>;
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

const STREAM_PATH = '/api/agent-stream';
const TOKEN_PREFIX = 'fake-stream-token:';

export async function startFakeBackend(options: FakeBackendOptions): Promise<FakeBackend> {
  const apexCalls: ApexCall[] = [];
  /** Open agent streams: the response and the user its token names. */
  const streams = new Set<{ res: ServerResponse; userId: string }>();
  const streamWaiters: Array<() => void> = [];
  let streamsOpened = 0;
  let eventId = 0;
  let baseUrl = '';

  const cors = (req: IncomingMessage): Record<string, string> =>
    typeof req.headers.origin === 'string'
      ? {
          'access-control-allow-origin': req.headers.origin,
          'access-control-allow-headers': 'authorization, last-event-id',
          vary: 'Origin'
        }
      : {};

  /** As relay/src/http/agent-stream.route.ts: 401 without a token, then SSE frames of that user's events. */
  const openStream = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? '';
    const userId = header.startsWith(`Bearer ${TOKEN_PREFIX}`) ? header.slice(`Bearer ${TOKEN_PREFIX}`.length) : '';
    if (!userId) {
      res.writeHead(401, { 'content-type': 'application/json', ...cors(req) });
      return res.end(JSON.stringify({ error: 'invalid stream token' }));
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      ...cors(req)
    });
    res.write('retry: 2000\n\n');
    const stream = { res, userId };
    streams.add(stream);
    res.on('close', () => streams.delete(stream));
    streamsOpened += 1;
    for (const resolve of streamWaiters.splice(0)) resolve();
  };

  const apexHandlers: Record<string, ApexHandler> = {
    // TeamsStreamAccessController (B10): a token naming the running user, for this backend's own stream.
    'TeamsStreamAccessController.getStreamAccess': (_params, userId) => ({
      url: `${baseUrl}${STREAM_PATH}`,
      token: `${TOKEN_PREFIX}${userId ?? ''}`
    }),
    ...options.apex
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === STREAM_PATH && req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET', ...cors(req) });
        return res.end();
      }
      if (url.pathname === STREAM_PATH && req.method === 'GET') return openStream(req, res);
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
        const handler = apexHandlers[`${className}.${method}`];
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

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    apexCalls,
    sendToAgent(event) {
      eventId += 1;
      const id = `fake.${eventId}`;
      const kind = event.Kind__c === 'Presence' ? 'presence' : 'call';
      for (const stream of streams) {
        if (stream.userId === event.AgentUserId__c)
          stream.res.write(`id: ${id}\nevent: ${kind}\ndata: ${JSON.stringify(event)}\n\n`);
      }
      return id;
    },
    waitForStream(timeoutMs = 15_000) {
      if (streamsOpened > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No agent stream opened within ${timeoutMs} ms`)), timeoutMs);
        streamWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
