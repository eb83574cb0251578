import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files of a tiny, clean SFDX project that every check accepts. Tests override or delete single files. */
export const CLEAN: Record<string, string> = {
  'sfdx-project.json': JSON.stringify({
    packageDirectories: [{ path: 'force-app/main', default: true }],
    sourceApiVersion: '62.0'
  }),
  'force-app/main/calls/objects/Call__c/Call__c.object-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <label>Call</label>
    <nameField><label>Call Name</label><type>Text</type></nameField>
    <pluralLabel>Calls</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`,
  'force-app/main/calls/objects/Call__c/fields/Status__c.field-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <label>Status</label>
    <length>40</length>
    <type>Text</type>
</CustomField>
`,
  'force-app/main/calls/objects/Call__c/fields/Caller__c.field-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Caller__c</fullName>
    <label>Caller</label>
    <referenceTo>Contact</referenceTo>
    <relationshipName>Calls</relationshipName>
    <deleteConstraint>SetNull</deleteConstraint>
    <type>Lookup</type>
</CustomField>
`,
  'force-app/main/calls/objects/Contact/fields/TeamsId__c.field-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>TeamsId__c</fullName>
    <label>Teams Id</label>
    <length>80</length>
    <type>Text</type>
</CustomField>
`,
  'force-app/main/calls/classes/CallController.cls': `public with sharing class CallController {
    @AuraEnabled(cacheable=true)
    public static List<Call__c> getCalls(String status) {
        return [
            SELECT Id, Status__c, Caller__r.TeamsId__c, Caller__r.Name
            FROM Call__c
            WHERE Status__c = :status
            WITH USER_MODE
            ORDER BY CreatedDate DESC
            LIMIT 50
        ];
    }

    public static String describe(Call__c call) {
        String label = Schema.SObjectType.Call__c.fields.Status__c.getLabel();
        return label + ': ' + call.Status__c;
    }

    public static Call__c make() {
        return new Call__c(Status__c = 'Ringing');
    }
}
`,
  'force-app/main/calls/classes/CallController.cls-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`,
  'force-app/main/calls/lwc/callList/callList.js': `import { LightningElement, wire } from 'lwc';
import getCalls from '@salesforce/apex/CallController.getCalls';
import STATUS from '@salesforce/schema/Call__c.Status__c';
import CALLER_TEAMS_ID from '@salesforce/schema/Call__c.Caller__r.TeamsId__c';
import PHONE from '@salesforce/schema/Contact.Phone';

export default class CallList extends LightningElement {
    fields = [STATUS, CALLER_TEAMS_ID, PHONE];
    @wire(getCalls, { status: 'Ringing' }) calls;
}
`,
  'force-app/main/calls/lwc/callList/callList.js-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <isExposed>false</isExposed>
</LightningComponentBundle>
`,
  'force-app/main/calls/permissionsets/Calls.permissionset-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>
<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <classAccesses><apexClass>CallController</apexClass><enabled>true</enabled></classAccesses>
    <fieldPermissions><editable>true</editable><field>Call__c.Status__c</field><readable>true</readable></fieldPermissions>
    <fieldPermissions><editable>false</editable><field>Contact.TeamsId__c</field><readable>true</readable></fieldPermissions>
    <label>Calls</label>
    <objectPermissions>
        <allowCreate>true</allowCreate><allowDelete>false</allowDelete><allowEdit>true</allowEdit><allowRead>true</allowRead>
        <modifyAllRecords>false</modifyAllRecords><object>Call__c</object><viewAllRecords>false</viewAllRecords>
    </objectPermissions>
</PermissionSet>
`
};

export interface Fixture {
  root: string;
  dispose(): void;
}

/** Writes CLEAN plus `changes` (a null value deletes that file) to a fresh temp dir. */
export function project(changes: Record<string, string | null> = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'verify-fixture-'));
  const files: Record<string, string | null> = { ...CLEAN, ...changes };
  for (const [path, text] of Object.entries(files)) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { root, dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export const CLASS = 'force-app/main/calls/classes/CallController.cls';
export const LWC = 'force-app/main/calls/lwc/callList/callList.js';
