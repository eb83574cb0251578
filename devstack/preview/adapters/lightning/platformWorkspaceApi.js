import { frame } from '../frameBridge.js';

/** lightning/platformWorkspaceApi for the preview: workspace tabs are the frame's tab strip. */
export class IsConsoleNavigation {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }
  connect() {
    this.dataCallback(Boolean(frame().isConsole));
  }
  disconnect() {}
  update() {}
}

export class EnclosingTabId {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }
  connect() {
    this.dataCallback(null);
  }
  disconnect() {}
  update() {}
}

export const isConsoleNavigation = () => Promise.resolve(Boolean(frame().isConsole));
export const openTab = (options) => frame().openTab(options ?? {});
export const openSubtab = (_parentTabId, options) => frame().openTab(options ?? {});
export const focusTab = (tabId) => frame().focusTab(tabId);
export const closeTab = (tabId) => frame().closeTab(tabId);
export const getFocusedTabInfo = () => frame().focusedTabInfo();
export const getAllTabInfo = () => frame().allTabInfo();
export const getTabInfo = (tabId) =>
  frame()
    .allTabInfo()
    .then((tabs) => tabs.find((t) => t.tabId === tabId) ?? null);
export const refreshTab = () => Promise.resolve(true);
export const setTabLabel = (tabId, label) => frame().setTabLabel(tabId, label);
export const setTabIcon = () => Promise.resolve(true);
export const setTabHighlighted = () => Promise.resolve(true);
export const disableTabClose = () => Promise.resolve(true);
