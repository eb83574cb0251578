/** A Lightning base components feature gate switched off for the preview (see build.ts for why). */
export default { isOpen: () => false };
