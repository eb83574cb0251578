// DEVELOPMENT ONLY — what Graph accepts on the presence writes, so the simulator refuses what Graph refuses.
//   setPresence (https://learn.microsoft.com/graph/api/presence-setpresence, "Supported availability/activity
//   combinations"; expirationDuration "PT5M to PT4H", default PT5M)
//   setUserPreferredPresence (https://learn.microsoft.com/graph/api/presence-setuserpreferredpresence,
//   "Supported combinations")

const SESSION_PAIRS = new Set([
  'Available/Available',
  'Busy/InACall',
  'Busy/InAConferenceCall',
  'Away/Away',
  'DoNotDisturb/Presenting'
]);
const PREFERRED_PAIRS = new Set([
  'Available/Available',
  'Busy/Busy',
  'DoNotDisturb/DoNotDisturb',
  'BeRightBack/BeRightBack',
  'Away/Away',
  'Offline/OffWork'
]);

/** ISO 8601 duration (PTnHnMnS) in ms, or undefined when it is not one. */
export function isoDurationMs(d: unknown): number | undefined {
  const m = typeof d === 'string' ? /^PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(d) : null;
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** The BadRequest message Graph would answer for this presence write, or undefined when Graph accepts it. */
export function presenceWriteRefusal(
  kind: 'setPresence' | 'setUserPreferredPresence',
  body: Record<string, unknown>
): string | undefined {
  const { availability, activity, expirationDuration } = body;
  if (typeof availability !== 'string' || typeof activity !== 'string') return undefined; // world.ts says what is missing
  const pairs = kind === 'setPresence' ? SESSION_PAIRS : PREFERRED_PAIRS;
  if (!pairs.has(`${availability}/${activity}`)) {
    return `The availability '${availability}' and activity '${activity}' are not a supported combination for ${kind}.`;
  }
  if (expirationDuration === undefined) return undefined;
  const ms = isoDurationMs(expirationDuration);
  const shown = JSON.stringify(expirationDuration);
  if (ms === undefined) return `expirationDuration ${shown} is not an ISO 8601 duration.`;
  if (kind === 'setPresence' && (ms < 5 * 60_000 || ms > 4 * 3600_000)) {
    return `expirationDuration must be between PT5M and PT4H (was ${shown}).`;
  }
  return undefined;
}
