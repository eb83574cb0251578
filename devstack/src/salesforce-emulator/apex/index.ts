// DEVELOPMENT ONLY — the Apex controller contracts over HTTP for the console preview:
// `POST /_preview/apex/<Class>/<method>` (JSON body = the named Apex parameters, `x-preview-user` = running user)
// answers 200 with the method's JSON or 400 `{ body: { message } }` like an AuraHandledException;
// `GET /_preview/users` lists who one can sign in as; `GET /_preview/records/<id>` feeds the preview's record tabs.
import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../event-bus.ts';
import type { OrgStore } from '../store.ts';
import { callHistoryMethods } from './call-history-controller.ts';
import { AuraError, type ApexMethod, type ApexParams } from './context.ts';
import { preparePreviewOrg, previewUsers } from './preview-org.ts';
import { redirectRuleMethods } from './redirect-rule-controller.ts';
import { setupMethods } from './setup-controller.ts';
import { softphoneMethods } from './softphone-controller.ts';
import { streamAccessMethods } from './stream-access-controller.ts';

export const APEX_CONTROLLERS: Readonly<Record<string, Record<string, ApexMethod>>> = {
  TeamsSoftphoneController: softphoneMethods,
  TeamsCallHistoryController: callHistoryMethods,
  TeamsRedirectRuleController: redirectRuleMethods,
  TeamsSetupController: setupMethods,
  TeamsStreamAccessController: streamAccessMethods
};

export interface ApexRoutesOptions {
  store: OrgStore;
  bus: EventBus;
  /** The relay's user: gets TeamsPhoneIntegration so the setup checks pass on a seeded org. */
  integrationUsername?: string;
  /** Add permission sets and the demo admin (preview-org.ts); the server does so for a seeded org. */
  prepareDemoOrg?: boolean;
  /** The org's certificates (private keys by API name) for Auth.JWS: the agent-stream token (B10). */
  certificates?: ReadonlyMap<string, KeyObject>;
}

const auraBody = (message: string) => ({ body: { message } });

/** Fields a record tab shows (as on the org's record page); never ids or system fields. */
const RECORD_FIELDS: Record<string, string[]> = {
  Contact: ['Phone', 'MobilePhone', 'Email', 'Title'],
  Lead: ['Phone', 'MobilePhone', 'Email', 'Company', 'Title'],
  Account: ['Phone'],
  // B08: the call record page (TeamsCall_Record_Page) shows these in its detail panel, the timeline below them.
  TeamsCall__c: ['CallerNumber__c', 'CallerName__c', 'Direction__c', 'State__c', 'Outcome__c', 'Reason__c']
};
/** Field labels as the org shows them (the `<label>` of each custom field's metadata). */
const FIELD_LABELS: Record<string, string> = {
  CallerNumber__c: 'Caller Number',
  CallerName__c: 'Caller Name',
  Direction__c: 'Direction',
  State__c: 'State',
  Outcome__c: 'Outcome',
  Reason__c: 'Reason'
};

export function registerApexRoutes(app: FastifyInstance, options: ApexRoutesOptions): void {
  const { store, bus } = options;
  if (options.prepareDemoOrg !== false) preparePreviewOrg(store, options.integrationUsername);

  app.get('/_preview/users', () => previewUsers(store));

  app.get<{ Params: { id: string } }>('/_preview/records/:id', async (req, reply) => {
    const found = store.getById(req.params.id);
    const shown = found ? RECORD_FIELDS[found.sobject] : undefined;
    if (!found || !shown) {
      return reply.code(404).send({ message: 'No such record' });
    }
    const fields = Object.fromEntries(
      shown
        .filter((f) => found.rec[f] !== null && found.rec[f] !== undefined)
        .map((f) => [FIELD_LABELS[f] ?? f, found.rec[f]])
    );
    return { id: found.rec.Id, objectApiName: found.sobject, name: found.rec.Name ?? null, fields };
  });

  app.post<{ Params: { className: string; method: string } }>(
    '/_preview/apex/:className/:method',
    async (req, reply) => {
      const { className, method } = req.params;
      const controller = Object.hasOwn(APEX_CONTROLLERS, className) ? APEX_CONTROLLERS[className] : undefined;
      const handler = controller && Object.hasOwn(controller, method) ? controller[method] : undefined;
      if (!handler) return reply.code(404).send(auraBody(`No Apex method ${className}.${method} in the emulator.`));
      const header = req.headers['x-preview-user'];
      const userId = typeof header === 'string' ? header.trim() : '';
      const user = userId ? store.get('User', userId) : undefined;
      if (!user || user.IsActive !== true) {
        return reply.code(401).send(auraBody('Sign in as one of the demo users (x-preview-user).'));
      }
      const body = req.body ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) {
        return reply.code(400).send(auraBody('The parameters must be a JSON object.'));
      }
      const language = req.headers['x-preview-language'];
      try {
        const result = handler(
          {
            store,
            bus,
            userId: user.Id,
            ...(typeof language === 'string' && /^[a-z]{2}(?:_[A-Z]{2})?$/.test(language) && { language }),
            ...(options.certificates && { certificates: options.certificates })
          },
          body as ApexParams
        );
        // Serialized here so a String result (sendCommand's command id) is JSON too, as Lightning returns it.
        return reply
          .code(200)
          .header('content-type', 'application/json; charset=utf-8')
          .send(JSON.stringify(result ?? null));
      } catch (failure) {
        if (failure instanceof AuraError) return reply.code(400).send(auraBody(failure.message));
        req.log.error({ err: failure }, `${className}.${method} failed`);
        return reply.code(500).send(auraBody('The emulator failed on this call.'));
      }
    }
  );
}
