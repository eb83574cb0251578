/** Topic → schema id (GetTopic) and schema id → codec (GetSchema), cached by schema id as Salesforce advises. */
import type { ServiceError } from '@grpc/grpc-js';
import { EventCodec } from './avro-codec.ts';
import type { PubSubGrpcClient } from './pubsub-channel.ts';

export class TopicSchemas {
  private readonly schemaIdByTopic = new Map<string, string>();
  private readonly codecs = new Map<string, EventCodec>();

  constructor(
    private readonly client: PubSubGrpcClient,
    private readonly deadlineMs = 15_000
  ) {}

  async forTopic(topicName: string, need: 'publish' | 'subscribe'): Promise<EventCodec> {
    let schemaId = this.schemaIdByTopic.get(topicName);
    if (!schemaId) {
      const topic = await unary<{ schemaId: string; canPublish: boolean; canSubscribe: boolean }>(
        this.client,
        'GetTopic',
        { topicName },
        this.deadlineMs
      );
      if (need === 'publish' ? !topic.canPublish : !topic.canSubscribe) {
        throw new Error(`the integration user cannot ${need} on ${topicName}`);
      }
      schemaId = topic.schemaId;
      this.schemaIdByTopic.set(topicName, schemaId);
    }
    return this.forSchemaId(schemaId);
  }

  async forSchemaId(schemaId: string): Promise<EventCodec> {
    const cached = this.codecs.get(schemaId);
    if (cached) return cached;
    const schema = await unary<{ schemaJson: string }>(this.client, 'GetSchema', { schemaId }, this.deadlineMs);
    const codec = new EventCodec(schemaId, schema.schemaJson);
    this.codecs.set(schemaId, codec);
    return codec;
  }

  /** The event definition changed (a publish answered with another schema id): look the topic up again. */
  forget(topicName: string): void {
    this.schemaIdByTopic.delete(topicName);
  }
}

export function unary<T>(client: PubSubGrpcClient, method: string, request: unknown, deadlineMs: number): Promise<T> {
  const deadline = new Date(Date.now() + deadlineMs);
  return new Promise<T>((resolve, reject) => {
    const fn = client[method] as (
      req: unknown,
      opts: { deadline: Date },
      cb: (error: ServiceError | null, response: T) => void
    ) => void;
    fn.call(client, request, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}
