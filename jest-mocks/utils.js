/** Shared LWC test helpers (STYLE: written once). */

/** Let pending promise callbacks (mocked Apex, re-render) run. */
export const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Remove every element a test appended to document.body. */
export const resetDom = () => {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
};
