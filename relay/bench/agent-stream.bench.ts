/**
 * Agent-stream benchmark (B10): N concurrent streams on loopback, each agent receiving only its own events.
 * The relay side (fastify + the SSE route + the in-process feed + the real token verifier) runs in a child process so
 * its RSS is measured alone; this process opens the streams and checks every byte it gets. Not a test: no thresholds.
 * `BENCH_STREAMS` (default 1000) and `BENCH_EVENTS_PER_AGENT` (default 5) size it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, SignJWT } from 'jose';
import { InProcessAgentFeed } from '../src/adapters/feed/in-process.agent-feed.ts';
import { STREAM_AUDIENCE, StreamTokenVerifier } from '../src/adapters/salesforce/stream-token.ts';
import type { TeamsCallEvent } from '../src/domain/call-event.ts';
import { AGENT_STREAM_PATH, registerAgentStream } from '../src/http/agent-stream.route.ts';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const EVENTS_PER_AGENT = Number(process.env.BENCH_EVENTS_PER_AGENT ?? 5);
const ORG = '00D000000000001AAA';
const userId = (i: number): string => `005${String(i).padStart(15, '0')}`;

type ToServer = { type: 'publish'; perAgent: number; agents: number } | { type: 'rss' } | { type: 'stop' };
type ToBench = { type: 'ready'; port: number } | { type: 'rss'; rss: number; streams: number } | { type: 'published' };

/** The relay side, in the child. */
async function serve(publicKeyPem: string): Promise<void> {
  const feed = new InProcessAgentFeed({ backlogPerAgent: 64 });
  const app = Fastify();
  registerAgentStream(app, {
    feed,
    tokens: new StreamTokenVerifier({ keys: [await importSPKI(publicKeyPem, 'RS256')], orgId: ORG }),
    allowedOrigins: [],
    heartbeatMs: 15_000
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const send = (message: ToBench) => process.send?.(message);
  process.on('message', (message: ToServer) => {
    if (message.type === 'rss') {
      global.gc?.();
      send({ type: 'rss', rss: process.memoryUsage().rss, streams: feed.listenerCount });
    } else if (message.type === 'publish') {
      for (let round = 0; round < message.perAgent; round += 1) {
        const events: TeamsCallEvent[] = [];
        for (let i = 0; i < message.agents; i += 1) {
          events.push({
            EventId__c: `e-${round}-${i}`,
            TeamsCallId__c: `call-${i}-${round}`,
            Sequence__c: round + 1,
            Kind__c: 'Call',
            State__c: 'Ringing',
            CallerNumber__c: '+14155550123',
            AgentUserId__c: userId(i),
            OccurredAt__c: new Date().toISOString()
          });
        }
        feed.publish(events);
      }
      send({ type: 'published' });
    } else {
      void app.close().then(() => process.exit(0));
    }
  });
  send({ type: 'ready', port: (app.server.address() as AddressInfo).port });
}

function next(child: ChildProcess, type: ToBench['type']): Promise<ToBench> {
  return new Promise((resolve) => {
    const onMessage = (message: ToBench) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
  });
}

async function bench(): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const child = fork(fileURLToPath(import.meta.url), ['--serve', await exportSPKI(publicKey)], {
    execArgv: ['--import', 'tsx', '--expose-gc']
  });
  const { port } = (await next(child, 'ready')) as { port: number };
  const signer = await importPKCS8(await exportPKCS8(privateKey), 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const tokens = await Promise.all(
    Array.from({ length: STREAMS }, (_, i) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject(userId(i))
        .setIssuer(ORG)
        .setAudience(STREAM_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(signer)
    )
  );

  child.send({ type: 'rss' } satisfies ToServer);
  const before = (await next(child, 'rss')) as { rss: number };

  const received = new Array<string>(STREAMS).fill('');
  const responses: IncomingMessage[] = [];
  const opened = performance.now();
  await Promise.all(
    tokens.map(
      (token, i) =>
        new Promise<void>((resolve, reject) => {
          request(
            `http://127.0.0.1:${port}${AGENT_STREAM_PATH}`,
            { headers: { authorization: `Bearer ${token}` } },
            (res) => {
              if (res.statusCode !== 200) return reject(new Error(`stream ${i}: HTTP ${res.statusCode}`));
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (received[i] += chunk));
              responses.push(res);
              resolve();
            }
          )
            .on('error', reject)
            .end();
        })
    )
  );
  const openMs = performance.now() - opened;
  child.send({ type: 'rss' } satisfies ToServer);
  const during = (await next(child, 'rss')) as { rss: number; streams: number };

  const frames = (text: string) => text.split('\n\n').filter((f) => f.includes('data: ')).length;
  const published = performance.now();
  child.send({ type: 'publish', perAgent: EVENTS_PER_AGENT, agents: STREAMS } satisfies ToServer);
  await next(child, 'published');
  while (received.some((text) => frames(text) < EVENTS_PER_AGENT)) await new Promise((r) => setTimeout(r, 5));
  const deliverMs = performance.now() - published;

  const foreign = received.filter((text, i) =>
    text.split('\n').some((l) => l.startsWith('data: ') && !l.includes(userId(i)))
  );
  for (const res of responses) res.destroy();
  child.send({ type: 'stop' } satisfies ToServer);

  const perStreamKb = (during.rss - before.rss) / 1024 / STREAMS;
  const events = STREAMS * EVENTS_PER_AGENT;
  console.log(`agent stream (B10): ${STREAMS} concurrent SSE streams on loopback, ${EVENTS_PER_AGENT} events each`);
  console.log(
    `  opened (token verified + subscribed) in   ${openMs.toFixed(0)} ms (${((openMs / STREAMS) * 1000).toFixed(0)} µs per stream)`
  );
  console.log(
    `  relay RSS                                 ${(before.rss / 1048576).toFixed(1)} MB → ${(during.rss / 1048576).toFixed(1)} MB with ${during.streams} streams`
  );
  console.log(`  relay RSS per open stream                 ${perStreamKb.toFixed(1)} KB`);
  console.log(
    `  ${events} events delivered in               ${deliverMs.toFixed(0)} ms (${((events / deliverMs) * 1000).toFixed(0)} events/s)`
  );
  console.log(`  streams that received another agent's event: ${foreign.length}`);
}

if (process.argv[2] === '--serve') void serve(process.argv[3] ?? '');
else void bench();
