// [B10] The emulator's twin of TeamsStreamAccessController: the token it mints is one the relay's verifier accepts
// (so the preview exercises the real check), bound to the running user and the org; refusals as the Apex words them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { importSPKI } from 'jose';
import { StreamTokenVerifier } from '../../relay/src/adapters/salesforce/stream-token.ts';
import { AuraError, type ApexContext } from '../src/salesforce-emulator/apex/context.ts';
import { streamCheck } from '../src/salesforce-emulator/apex/setup-controller.ts';
import { STREAM_ACCESS, streamAccessMethods } from '../src/salesforce-emulator/apex/stream-access-controller.ts';
import { EventBus } from '../src/salesforce-emulator/event-bus.ts';
import { seedDemoOrg } from '../src/salesforce-emulator/seed.ts';
import { DEFAULT_METADATA_ROOT } from '../src/salesforce-emulator/server.ts';
import { OrgStore } from '../src/salesforce-emulator/store.ts';

const CERTIFICATE = 'TeamsSoftphoneStream';

function org(settings: Record<string, unknown>) {
  const store = new OrgStore();
  const bus = new EventBus(store, DEFAULT_METADATA_ROOT);
  const seeded = seedDemoOrg(store);
  const defaults = store.all('TeamsPhoneSetting__mdt').find((r) => r.DeveloperName === 'Default')!;
  store.update('TeamsPhoneSetting__mdt', defaults.Id, settings);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificates = new Map([[CERTIFICATE, privateKey]]);
  return { store, bus, seeded, certificates, publicKey };
}

const call = (ctx: ApexContext) => streamAccessMethods.getStreamAccess!(ctx, {}) as { url: string; token: string };

describe('[B10] TeamsStreamAccessController twin', () => {
  it("mints a token the relay accepts for the running agent only, and the relay's stream URL", async () => {
    const o = org({ RelayStreamUrl__c: 'https://relay.example.com/', StreamCertificate__c: CERTIFICATE });
    const agent = o.seeded.agents[0]!;
    const access = call({ store: o.store, bus: o.bus, userId: agent.userId, certificates: o.certificates });
    assert.equal(access.url, 'https://relay.example.com/api/agent-stream');
    const key = await importSPKI(o.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
    const verified = await new StreamTokenVerifier({ keys: [key], orgId: o.store.orgId }).verify(access.token);
    assert.deepEqual(verified.ok && [verified.userId, verified.orgId], [agent.userId, o.store.orgId]);
  });

  it('refuses as the Apex does: not set up, no line, unknown certificate', () => {
    const notSetUp = org({ RelayStreamUrl__c: null, StreamCertificate__c: CERTIFICATE });
    const agent = notSetUp.seeded.agents[0]!.userId;
    assert.throws(
      () => call({ store: notSetUp.store, bus: notSetUp.bus, userId: agent, certificates: notSetUp.certificates }),
      (e: unknown) => e instanceof AuraError && e.message === STREAM_ACCESS.notSetUp
    );
    const o = org({ RelayStreamUrl__c: 'https://relay.example.com', StreamCertificate__c: 'Missing' });
    assert.throws(
      () => call({ store: o.store, bus: o.bus, userId: o.seeded.agents[0]!.userId, certificates: o.certificates }),
      (e: unknown) => e instanceof AuraError && e.message === STREAM_ACCESS.signingFailed
    );
    const configured = org({ RelayStreamUrl__c: 'https://relay.example.com', StreamCertificate__c: CERTIFICATE });
    assert.throws(
      () =>
        call({
          store: configured.store,
          bus: configured.bus,
          userId: configured.seeded.integrationUserId,
          certificates: configured.certificates
        }),
      (e: unknown) => e instanceof AuraError && e.message === STREAM_ACCESS.noLine
    );
  });
});

describe('[B07][B10] setup check twin: live call updates can reach the softphone', () => {
  const set = { RelayStreamUrl__c: 'https://relay.example.com/', StreamCertificate__c: CERTIFICATE };
  const site = (EndpointUrl: string, IsApplicableToConnectSrc = true) => ({
    Id: '08y000000000001AAA',
    EndpointUrl,
    IsActive: true,
    IsApplicableToConnectSrc
  });

  it('fails naming the settings when the stream is not set up', () => {
    const result = streamCheck({ RelayStreamUrl__c: 'https://relay.example.com' }, []);
    assert.equal(result.status, 'Fail');
    assert.match(String(result.fix), /Stream Certificate/);
  });

  it('fails naming the Trusted URL to add, and passes once the relay origin allows connect-src', () => {
    assert.equal(
      streamCheck(set, [site('https://other.example.com')]).fix,
      'In Setup > Trusted URLs, add https://relay.example.com with the CSP directive connect-src.'
    );
    assert.equal(
      streamCheck(set, [site('https://relay.example.com', false)]).status,
      'Fail',
      'connect-src not allowed'
    );
    const pass = streamCheck(set, [site('https://RELAY.example.com/')]);
    assert.deepEqual([pass.status, pass.fix], ['Pass', null]);
  });
});
