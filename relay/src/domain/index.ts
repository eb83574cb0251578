export type * from './call-event.ts';
export type * from './config.ts';
export type * from './model.ts';
export { CALL_CONTROL_EFFECTS, isCallControlEffect } from './model.ts';
export { decide, emptyWorld, findCall, inputKey, noAnswerTimerId } from './decide.ts';
export { eventIdFor } from './event-id.ts';
export { dndTimerId, IN_A_CALL_EXPIRY_MINUTES } from './presence.policy.ts';
export { agentForLine, normalizeNumber, resolveRule } from './routing.policy.ts';
