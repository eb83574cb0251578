import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { PrometheusRelayMetrics } from '../../../src/adapters/metrics/prometheus.metrics.ts';

let registry: Registry;
let depth: number;
let deadLetters: number;
let metrics: PrometheusRelayMetrics;

beforeEach(() => {
  registry = new Registry();
  depth = 0;
  deadLetters = 0;
  metrics = new PrometheusRelayMetrics(registry, {
    outboxDepth: () => Promise.resolve(depth),
    deadLetters: () => Promise.resolve(deadLetters)
  });
});

describe('PrometheusRelayMetrics (the RelayMetrics port on prom-client)', () => {
  it('counts inbox items by outcome under relay_inbox_items_total', async () => {
    metrics.inboxItem('applied');
    metrics.inboxItem('applied');
    metrics.inboxItem('undecodable');
    const text = await registry.metrics();
    assert.match(text, /relay_inbox_items_total\{outcome="applied"\} 2/);
    assert.match(text, /relay_inbox_items_total\{outcome="undecodable"\} 1/);
  });

  it('[S01] observes the ring path in seconds in the relay_ring_path_seconds histogram', async () => {
    metrics.ringPathObserved(0.25);
    const text = await registry.metrics();
    assert.match(text, /relay_ring_path_seconds_count 1/);
    assert.match(text, /relay_ring_path_seconds_sum 0\.25/);
    assert.match(text, /relay_ring_path_seconds_bucket\{le="0\.3"\} 1/);
    assert.match(text, /relay_ring_path_seconds_bucket\{le="0\.2"\} 0/);
  });

  it('counts Graph effects by type and outcome under relay_effects_total', async () => {
    metrics.effect('InviteAgent', 'executed');
    metrics.effect('InviteAgent', 'failed');
    metrics.effect('AnswerCall', 'executed');
    const text = await registry.metrics();
    assert.match(text, /relay_effects_total\{type="InviteAgent",outcome="executed"\} 1/);
    assert.match(text, /relay_effects_total\{type="InviteAgent",outcome="failed"\} 1/);
    assert.match(text, /relay_effects_total\{type="AnswerCall",outcome="executed"\} 1/);
  });

  it('[B01] counts outbox batches, delivered, retried and dead-lettered events under their series', async () => {
    metrics.outboxBatchPublished();
    metrics.outboxDelivered(3);
    metrics.outboxDelivered(0);
    metrics.outboxRetried();
    metrics.outboxDeadLettered();
    const text = await registry.metrics();
    assert.match(text, /relay_outbox_publish_batches_total 1/);
    assert.match(text, /relay_outbox_events_delivered_total 3/);
    assert.match(text, /relay_outbox_events_retried_total 1/);
    assert.match(text, /relay_outbox_dead_lettered_total 1/);
  });

  it('[B01] reads outbox depth and dead letters from the store at each scrape', async () => {
    depth = 4;
    deadLetters = 2;
    let text = await registry.metrics();
    assert.match(text, /relay_outbox_depth 4/);
    assert.match(text, /relay_dead_letters 2/);
    depth = 0;
    text = await registry.metrics();
    assert.match(text, /relay_outbox_depth 0/);
  });

  it('registers no store gauges when no store callbacks are given', async () => {
    const bare = new Registry();
    new PrometheusRelayMetrics(bare).outboxRetried();
    const text = await bare.metrics();
    assert.match(text, /relay_outbox_events_retried_total 1/);
    assert.doesNotMatch(text, /relay_outbox_depth/);
  });
});
