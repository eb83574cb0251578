/**
 * The gRPC channel to the Salesforce Pub/Sub API. Built on @grpc/grpc-js with the proto file that ships in
 * `salesforce-pubsub-api-client`, rather than that package's client class: its batch publish drops per-event
 * errors, its single publish sends one event per request, and its token is fixed at construction. Here every
 * RPC reads the current session, so a token renewed by jsforce's refreshFn is used at once.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { SalesforceSession } from './jwt-bearer-auth.ts';

export interface PubSubChannelOptions {
  /** `api.pubsub.salesforce.com:7443` in production. */
  endpoint: string;
  session: () => Promise<SalesforceSession>;
  /** Extra trusted CA (PEM) — tests and the devstack emulator; production uses the system roots. */
  rootCertPem?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated grpc client is untyped by nature */
export type PubSubGrpcClient = grpc.Client & Record<string, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export function pubSubProtoPath(): string {
  const require = createRequire(import.meta.url);
  // The proto is not in the package's `exports`; resolve the package root through its main entry.
  return path.join(path.dirname(require.resolve('salesforce-pubsub-api-client')), '..', 'pubsub_api.proto');
}

let cachedService: grpc.ServiceClientConstructor | undefined;

export function pubSubService(): grpc.ServiceClientConstructor {
  if (!cachedService) {
    const definition = protoLoader.loadSync(pubSubProtoPath(), { keepCase: false, longs: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(definition) as unknown as {
      eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } };
    };
    cachedService = pkg.eventbus.v1.PubSub;
  }
  return cachedService;
}

/** Longest wait between two connection attempts to the Pub/Sub API. */
export const MAX_RECONNECT_BACKOFF_MS = 4_000;

export function createPubSubClient(options: PubSubChannelOptions): PubSubGrpcClient {
  const callCredentials = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    options.session().then(
      (session) => {
        const metadata = new grpc.Metadata();
        metadata.add('accesstoken', session.accessToken);
        metadata.add('instanceurl', session.instanceUrl);
        metadata.add('tenantid', session.organizationId);
        callback(null, metadata);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)))
    );
  });
  const channel = grpc.credentials.createSsl(options.rootCertPem ? Buffer.from(options.rootCertPem) : null);
  const Service = pubSubService();
  return new Service(options.endpoint, grpc.credentials.combineChannelCredentials(channel, callCredentials), {
    // grpc-js grows the reconnect wait to 120 s; after an outage the outbox must drain within seconds (B01). One
    // connection attempt every few seconds per relay is no retry storm.
    'grpc.initial_reconnect_backoff_ms': 500,
    'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS
  }) as PubSubGrpcClient;
}

/** Replay ids are opaque 8-byte values; stored as base64 so any store can keep them. */
export const replayIdToString = (id: Buffer | Uint8Array): string => Buffer.from(id).toString('base64');
export const replayIdFromString = (id: string): Buffer => Buffer.from(id, 'base64');
