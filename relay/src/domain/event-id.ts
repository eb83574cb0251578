/**
 * Deterministic event ids: `EventId__c` is derived from (callId, sequence), so replaying a decision after a crash
 * produces the very same id and Salesforce's idempotency check drops the duplicate. Not cryptographic: four
 * FNV-1a-32 lanes with distinct offsets, formatted as a UUID (version nibble 8 = "custom", RFC 9562).
 */
function fnv1a(text: string, offset: number): number {
  let hash = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const LANE_OFFSETS = [0x811c9dc5, 0x050c5d1f, 0x1b873593, 0x7feb352d];

/** The `EventId__c` of the `sequence`-th event of call `callId`. */
export function eventIdFor(callId: string, sequence: number): string {
  const source = `${callId}\u0000${sequence}`;
  const hex = LANE_OFFSETS.map((offset) => fnv1a(source, offset).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
