/** A loopback stand-in for Graph and its token endpoint, recording every request (test helper, not a test). */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Never answer (to exercise client timeouts). */
  hang?: boolean;
}

export type Route = (req: RecordedRequest) => FakeReply | undefined;

export class FakeGraph {
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: { path: string; form: URLSearchParams }[] = [];
  private routes: Route[] = [];
  private server: Server | undefined;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '/';
        if (path.includes('/oauth2/v2.0/token')) {
          this.tokenRequests.push({ path, form: new URLSearchParams(text) });
          const tenant = path.split('/')[1];
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: `token-for-${tenant}` }));
          return;
        }
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: path.replace(/^\/v1\.0/, ''),
          headers: req.headers,
          body: text ? (JSON.parse(text) as unknown) : undefined
        };
        this.requests.push(recorded);
        const reply = this.routes.map((r) => r(recorded)).find((r) => r !== undefined) ?? {
          status: 404,
          body: notFound
        };
        if (reply.hang) return;
        res.statusCode = reply.status;
        res.setHeader('request-id', `graph-req-${this.requests.length}`);
        for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
        if (reply.body === undefined) return res.end();
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Routes are tried newest first. */
  on(route: Route): void {
    this.routes.unshift(route);
  }

  reset(): void {
    this.routes = [];
    this.requests.length = 0;
    this.tokenRequests.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const notFound = { error: { code: 'itemNotFound', message: 'not found' } };
