/**
 * The relay's info log says what happened to each call in one human sentence per published state, e.g.
 * "Call 57dab8b1-… is Missed (NoAnswer) from …0123 for agent 005…AAA, sent to PhoneNumber:…9999." Phone numbers
 * keep only their last four digits.
 */
import type { TeamsCallEvent } from './call-event.ts';

/** `+442071230001` → `…0001`; any run of 6+ digits (with separators) inside a text is masked the same way. */
export function maskNumbers(text: string): string {
  return text.replace(/\+?\d[\d ()-]{4,}\d/g, (run) => `…${run.replace(/\D/g, '').slice(-4)}`);
}

/** The sentence for a published call state; undefined for Presence and Heartbeat events. */
export function describeCallEvent(event: TeamsCallEvent): string | undefined {
  if (event.Kind__c !== 'Call' || event.State__c === undefined) return undefined;
  let sentence = `Call ${event.TeamsCallId__c} is ${event.State__c}`;
  if (event.Reason__c) sentence += ` (${event.Reason__c})`;
  const outbound = event.Direction__c === 'Outbound'; // B09: the number is the one the agent called
  if (event.CallerNumber__c) sentence += ` ${outbound ? 'to' : 'from'} ${maskNumbers(event.CallerNumber__c)}`;
  if (event.AgentUserId__c) sentence += ` for agent ${event.AgentUserId__c}`;
  if (event.Target__c) sentence += `, sent to ${maskNumbers(event.Target__c)}`;
  return `${sentence}.`;
}
