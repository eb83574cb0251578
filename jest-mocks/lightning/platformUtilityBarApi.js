/**
 * lightning/platformUtilityBarApi mock (sfdx-lwc-jest ships none): the EnclosingUtilityId wire adapter plus the
 * utility methods LWC uses. Tests drive the wire with EnclosingUtilityId.emit('utility-1').
 */
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const EnclosingUtilityId = createTestWireAdapter(jest.fn());
export const open = jest.fn(() => Promise.resolve(true));
export const minimize = jest.fn(() => Promise.resolve(true));
export const getInfo = jest.fn(() => Promise.resolve({ id: 'utility-1', utilityVisible: false }));
export const getAllUtilityInfo = jest.fn(() => Promise.resolve([{ id: 'utility-1', utilityVisible: false }]));
export const updateUtility = jest.fn(() => Promise.resolve(true));
export const updatePanel = jest.fn(() => Promise.resolve(true));
export const enablePopout = jest.fn(() => Promise.resolve(true));
export const enableModal = jest.fn(() => Promise.resolve(true));
export const onUtilityClick = jest.fn(() => Promise.resolve(true));
