/** Builders for the B13 tests: the shared fixtures' org with an after-call work period. */
import { emptyWorld } from '../../src/domain/decide.ts';
import type { World } from '../../src/domain/model.ts';
import { ANNA, config } from './fixtures.ts';

export { ANNA, BEN, at, cmd, connected, incoming, published, run } from './fixtures.ts';

export function emptyWorldWith(orgSeconds: number | undefined, annaSeconds?: number): World {
  const base = config({ anna: { ...ANNA, ...(annaSeconds !== undefined && { afterCallWorkSeconds: annaSeconds }) } });
  return emptyWorld({
    ...base,
    settings: { ...base.settings, ...(orgSeconds !== undefined && { afterCallWorkSeconds: orgSeconds }) }
  });
}
