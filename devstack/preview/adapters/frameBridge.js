/**
 * The seam between the platform adapters (bundled with the components) and the console frame (frame/frame.js), which
 * publishes itself as globalThis.__teamsPreview before loading the bundle. Without a frame (a bare page) every
 * console call resolves harmlessly, as the platform does outside a console app.
 */
const noFrame = {
  userId: null,
  language: 'en',
  backendUrl: '',
  utilityId: undefined,
  isConsole: false,
  openUtility: () => Promise.resolve(false),
  minimizeUtility: () => Promise.resolve(false),
  updateUtility: () => Promise.resolve(false),
  utilityInfo: () => Promise.resolve(null),
  openTab: () => Promise.reject(new Error('Not in a console app')),
  focusTab: () => Promise.resolve(false),
  closeTab: () => Promise.resolve(false),
  focusedTabInfo: () => Promise.resolve(null),
  allTabInfo: () => Promise.resolve([]),
  setTabLabel: () => Promise.resolve(false),
  navigate: () => undefined,
  urlFor: () => '#',
  currentPageReference: () => null,
  onPageReferenceChange: () => () => undefined
};

/** @returns {typeof noFrame} */
export function frame() {
  return globalThis.__teamsPreview ?? noFrame;
}

/**
 * Headers every backend call carries: the signed-in demo agent, as the session cookie would on the platform, and
 * their language (System.Label in Apex answers in it).
 */
export function backendHeaders() {
  const { userId, language } = frame();
  return userId
    ? { 'Content-Type': 'application/json', 'X-Preview-User': userId, 'X-Preview-Language': language ?? 'en' }
    : { 'Content-Type': 'application/json' };
}
