/**
 * lightning/platformWorkspaceApi mock: IsConsoleNavigation and EnclosingTabId are wire adapters, as in LWC.
 * Tests drive the wire with IsConsoleNavigation.emit(true | false).
 */
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const IsConsoleNavigation = createTestWireAdapter(jest.fn());
export const EnclosingTabId = createTestWireAdapter(jest.fn());
export const openTab = jest.fn(() => Promise.resolve('tab-1'));
export const openSubtab = jest.fn(() => Promise.resolve('subtab-1'));
export const focusTab = jest.fn(() => Promise.resolve(true));
export const closeTab = jest.fn(() => Promise.resolve(true));
export const getFocusedTabInfo = jest.fn(() => Promise.resolve({ tabId: 'tab-0', recordId: undefined }));
export const getAllTabInfo = jest.fn(() => Promise.resolve([]));
export const getTabInfo = jest.fn(() => Promise.resolve({ tabId: 'tab-0' }));
export const refreshTab = jest.fn(() => Promise.resolve(true));
export const setTabLabel = jest.fn(() => Promise.resolve(true));
export const setTabIcon = jest.fn(() => Promise.resolve(true));
export const setTabHighlighted = jest.fn(() => Promise.resolve(true));
