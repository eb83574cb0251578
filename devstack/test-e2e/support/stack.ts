// End-to-end helpers: one real stack (emulators + the relay as a child process) per test file, driven through the
// simulator's control API and the emulator's Apex-over-HTTP, observed through what the relay did (Graph requests,
// records written by the event handler). Waits are bounded polls on a condition, never fixed sleeps.
import assert from 'node:assert/strict';
import { startStack, type Stack, type StackOptions } from '../../src/stack.ts';
import type { SRecord } from '../../src/salesforce-emulator/store.ts';
import { DEMO_AGENTS } from '../../src/teams-simulator/directory.ts';
import { trustCertificate, trustedFetch } from '../../test/support/trust.ts';

export const ALICE = { ...DEMO_AGENTS[0]!, line: '+15555550101' };
export const BOB = { ...DEMO_AGENTS[1]!, line: '+15555550102' };
export const CAROL = { ...DEMO_AGENTS[2]!, line: '+15555550103' };
/** Seeded contact "Ada Caller". */
export const CALLER = '+15555550123';
export const OTHER_CALLER = '+15555550124';

export interface GraphRequest {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  status: number;
}

export class E2E {
  /** SOQL the relay ran against the emulator, in order (the store is in this process). */
  readonly queries: string[] = [];

  private constructor(readonly stack: Stack) {
    const store = stack.salesforce.store;
    const query = store.query.bind(store);
    store.query = (soql: string) => {
      this.queries.push(soql);
      return query(soql);
    };
  }

  /** Resolves once the relay has read its agents' configuration again after `mark` (= `queries.length` then). */
  async configReloadedSince(mark: number): Promise<void> {
    await this.until('the relay reloading its configuration', () =>
      this.queries.slice(mark).some((q) => /\bFROM\s+TeamsPhoneUser__c\b/i.test(q))
    );
  }

  static async start(options: Pick<StackOptions, 'streamOrigins'> = {}): Promise<E2E> {
    const stack = await startStack({ relayLogLevel: 'info', relayOutput: 'capture', ...options });
    trustCertificate(stack.teams.tls.cert);
    return new E2E(stack);
  }

  async stop(): Promise<void> {
    await this.stack.stop();
  }

  // ---------- Teams simulator control API ----------

  async sim<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await trustedFetch(`${this.stack.teams.url}/_sim${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_sim${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async placeCall(to: string, from = CALLER): Promise<string> {
    return (await this.sim<{ callId: string }>('POST', '/calls', { from, to })).callId;
  }

  async user(upn: string): Promise<{
    ringing: { callId: string }[];
    inCalls: unknown[];
    presence: { availability: string; activity: string };
  }> {
    return this.sim('GET', `/users/${upn}`);
  }

  async simCall(
    callId: string
  ): Promise<{ state: string; participants: { id: string; key: string; state: string }[] }> {
    return this.sim('GET', `/calls/${callId}`);
  }

  /** The Graph requests the relay made (simulator log), optionally only those about one call or user. */
  graphRequests(filter?: string): GraphRequest[] {
    const all = this.stack.teams.requests as unknown as GraphRequest[];
    return filter ? all.filter((r) => r.path.includes(filter)) : [...all];
  }

  /**
   * Waits until the relay has sent Graph at least one request whose path contains `filter` (and ends as `endsWith`
   * says, if given), then returns them all. A record and the Graph request behind it leave the relay in parallel,
   * so a test that has seen the record must still wait for the request.
   */
  async sentToGraph(filter: string, endsWith?: RegExp): Promise<GraphRequest[]> {
    return this.until(`a Graph request to ${filter}${endsWith ? ` ending ${String(endsWith)}` : ''}`, () => {
      const requests = this.graphRequests(filter).filter((r) => !endsWith || endsWith.test(r.path));
      return requests.length > 0 ? requests : undefined;
    });
  }

  /** The call was handed on (Graph redirect or transfer) exactly once: that request's body as JSON text. */
  async handedOn(callId: string): Promise<string> {
    const routed = await this.sentToGraph(`/communications/calls/${callId}/`, /\/(redirect|transfer)$/);
    assert.equal(routed.length, 1, 'the call is handed on exactly once');
    return JSON.stringify(routed[0]!.body);
  }

  // ---------- Salesforce emulator ----------

  callRecord(callId: string): SRecord | undefined {
    return this.stack.salesforce.store.all('TeamsCall__c').find((r) => r.TeamsCallId__c === callId);
  }

  tasksFor(record: SRecord): SRecord[] {
    return this.stack.salesforce.store.all('Task').filter((t) => t.CallObject === record.TeamsCallId__c);
  }

  seededUserId(upn: string): string {
    const agent = this.stack.salesforce.seeded?.agents.find((a) => a.teamsUserId === teamsIdOf(upn));
    if (!agent) throw new Error(`no seeded agent ${upn}`);
    return agent.userId;
  }

  /** An Apex controller method over HTTP, as the signed-in agent (x-preview-user). */
  async apex<T = unknown>(userId: string, cls: string, method: string, body: unknown): Promise<T> {
    const response = await trustedFetch(`${this.stack.salesforce.url}/_preview/apex/${cls}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-preview-user': userId },
      body: JSON.stringify(body)
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`apex ${cls}.${method} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async command(upn: string, callId: string, action: string): Promise<void> {
    await this.apex(this.seededUserId(upn), 'TeamsSoftphoneController', 'sendCommand', {
      teamsCallId: callId,
      action
    });
  }

  // ---------- waiting ----------

  /** Polls until `probe` returns a truthy value; fails with `what` and the relay's recent log after `timeoutMs`. */
  async until<T>(
    what: string,
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 15_000
  ) {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value) return value;
        last = value;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what} (last: ${String(last)})\n--- relay log (tail) ---\n${this.stack.relayLog().slice(-4000)}`
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async recordInState(callId: string, ...states: string[]): Promise<SRecord> {
    return this.until(`TeamsCall__c ${callId} in ${states.join('|')}`, () => {
      const record = this.callRecord(callId);
      return record && states.includes(String(record.State__c)) ? record : undefined;
    });
  }

  async ringing(upn: string, callId: string): Promise<void> {
    await this.until(`${upn} ringing for ${callId}`, async () =>
      (await this.user(upn)).ringing.some((r) => r.callId === callId)
    );
  }

  /** Rings Alice and waits until Teams rings and the Ringing record exists. */
  async ringAgent(agent: { upn: string; line: string }, from = CALLER): Promise<string> {
    const callId = await this.placeCall(agent.line, from);
    await this.ringing(agent.upn, callId);
    await this.recordInState(callId, 'Ringing');
    return callId;
  }

  async connect(agent: { upn: string; line: string }, from = CALLER): Promise<string> {
    const callId = await this.ringAgent(agent, from);
    await this.sim('POST', `/users/${agent.upn}/accept`, { callId });
    await this.recordInState(callId, 'Connected');
    return callId;
  }

  /** Between scenarios: every demo agent Available, no call left ringing anyone. */
  async reset(): Promise<void> {
    for (const agent of [ALICE, BOB, CAROL]) {
      const view = await this.user(agent.upn);
      for (const ring of view.ringing) await this.sim('POST', `/calls/${ring.callId}/caller-hangup`).catch(() => 0);
      await this.sim('POST', `/users/${agent.upn}/presence`, { availability: 'Available', activity: 'Available' });
    }
  }
}

function teamsIdOf(upn: string): string {
  const user = DEMO_AGENTS.find((a) => a.upn === upn);
  if (!user) throw new Error(`unknown demo agent ${upn}`);
  return user.id;
}
