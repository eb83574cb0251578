import type {
  AnswerCall,
  CancelInvite,
  HangUp,
  InviteAgent,
  InviteNumber,
  PlaceCall,
  Redirect,
  RemoveParticipant,
  StartHoldMusic,
  StopHoldMusic,
  Transfer
} from '../domain/model.ts';

/** What Graph says of a call now: `exists: false` when it no longer has it (404). */
export interface CallStatus {
  exists: boolean;
  /** Graph's call state (`incoming`, `established`, `terminated`…) when it exists. */
  state?: string;
}

/**
 * Graph call control for the bot's legs (graph-calls.md §5–§7). Each method issues one Graph request and resolves
 * when Graph accepted it (2xx/202); asynchronous outcomes (operation completed, roster changes, transfer results)
 * come back later as domain inputs through the webhook, not through these promises.
 * A rejection means "not accepted": the app feeds it back to the engine as `EffectFailed`. Implementations must not
 * blindly retry (Graph call control is not idempotent); check the call's state first (§10).
 */
/**
 * A rejection whose error has a numeric `retryAfterMs` means Graph throttled the request (429/503): it was not
 * executed, and the engine may send it again after that long.
 */
export interface CallControl {
  answer(effect: AnswerCall): Promise<void>;
  /**
   * Issued in the same step as `answer` (the ring path has no round trip in between): the adapter must queue the
   * invite until the answer request was accepted / the leg is establishing, if Graph refuses it earlier.
   */
  inviteAgent(effect: InviteAgent): Promise<void>;
  /** Stop the agent's Teams from ringing: cancel the pending invite operation (or remove the invited participant). */
  cancelInvite(effect: CancelInvite): Promise<void>;
  removeParticipant(effect: RemoveParticipant): Promise<void>;
  startHoldMusic(effect: StartHoldMusic): Promise<void>;
  stopHoldMusic(effect: StopHoldMusic): Promise<void>;
  /** Blind transfer of an established call; `target.identity` is already the Graph identity shape to send. */
  transfer(effect: Transfer): Promise<void>;
  /** Redirect of a call still `incoming` (never answered by the bot). */
  redirect(effect: Redirect): Promise<void>;
  /**
   * End the bot's leg (DELETE /communications/calls/{id}); 404 means already gone and should resolve. On a call the
   * bot never answered (an unknown line) this is a reject (`POST …/reject`).
   */
  hangUp(effect: HangUp): Promise<void>;
  /**
   * B09: create the outbound call that rings the agent's Teams from their line; resolves with the id Graph gave it
   * (fed back as `CallPlaced`). Not idempotent: sent once, never retried blindly. Optional so that test doubles
   * without outbound calls still satisfy the port; the relay refuses a dial when it is absent.
   */
  placeCall?(effect: PlaceCall): Promise<{ callId: string; tenantId: string }>;
  /** B09: call a number into the agent's established call (invite with a `phone` identity). */
  inviteNumber?(effect: InviteNumber): Promise<void>;
  /** GET the call (reconciliation); rejects only when Graph could not say (network, 5xx, throttled). */
  callStatus(callId: string): Promise<CallStatus>;
}
