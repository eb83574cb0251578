/** lightning/platformWorkspaceApi mock: a console by default; tests switch with IsConsoleNavigation.mockReturnValue. */
export const IsConsoleNavigation = jest.fn();
export const EnclosingTabId = jest.fn();
export const isConsoleNavigation = jest.fn(() => Promise.resolve(true));
export const openTab = jest.fn(() => Promise.resolve('tab-1'));
export const openSubtab = jest.fn(() => Promise.resolve('subtab-1'));
export const focusTab = jest.fn(() => Promise.resolve(true));
export const closeTab = jest.fn(() => Promise.resolve(true));
export const getFocusedTabInfo = jest.fn(() => Promise.resolve({ tabId: 'tab-0', recordId: undefined }));
export const getAllTabInfo = jest.fn(() => Promise.resolve([]));
export const refreshTab = jest.fn(() => Promise.resolve(true));
export const setTabLabel = jest.fn(() => Promise.resolve(true));
export const setTabIcon = jest.fn(() => Promise.resolve(true));
export const setTabHighlighted = jest.fn(() => Promise.resolve(true));
