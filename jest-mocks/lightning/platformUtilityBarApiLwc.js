/**
 * lightning/platformUtilityBarApi as LWC sees it (the shared mock models the Aura-style names): the
 * EnclosingUtilityId wire plus the LWC methods. Use with
 * jest.mock('lightning/platformUtilityBarApi', () => require('<path>/jest-mocks/lightning/platformUtilityBarApiLwc')).
 * Tests drive the wire with EnclosingUtilityId.emit('utility-1').
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
