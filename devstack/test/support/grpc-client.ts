// A bare Pub/Sub API client over @grpc/grpc-js, for protocol details the community client hides
// (flow control, replay presets, error results).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'src',
  'salesforce-emulator',
  'proto',
  'pubsub_api.proto'
);

export type RawPubSub = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

export function rawPubSubClient(
  endpoint: string,
  caCert: string,
  auth: { accessToken: string; instanceUrl: string; orgId: string }
): RawPubSub {
  const def = protoLoader.loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    eventbus: { v1: { PubSub: new (addr: string, creds: grpc.ChannelCredentials) => RawPubSub } };
  };
  const callCreds = grpc.credentials.createFromMetadataGenerator((_p, cb) => {
    const md = new grpc.Metadata();
    md.add('accesstoken', auth.accessToken);
    md.add('instanceurl', auth.instanceUrl);
    md.add('tenantid', auth.orgId);
    cb(null, md);
  });
  const creds = grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(Buffer.from(caCert)), callCreds);
  return new pkg.eventbus.v1.PubSub(endpoint, creds);
}

export function unary<T>(client: RawPubSub, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    (client[method] as (r: unknown, cb: (e: Error | null, v: T) => void) => void).call(client, req, (e, v) =>
      e ? reject(e) : resolve(v)
    );
  });
}

export function replayIdBuffer(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}
