/**
 * One line per Salesforce user: UniqueUserKey__c (External ID, Unique) mirrors User__c so the platform refuses a
 * second TeamsPhoneUser__c for the same user, whoever creates it and however.
 */
trigger TeamsPhoneUserTrigger on TeamsPhoneUser__c(before insert, before update) { // NOPMD - AvoidLogicInTrigger: a one-field copy, no handler worth its own class
    for (TeamsPhoneUser__c line : Trigger.new) {
        line.UniqueUserKey__c = line.User__c;
    }
}
