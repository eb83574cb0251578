/** lightning/platformUtilityBarApi mock (sfdx-lwc-jest ships none). */
export const getEnclosingUtilityId = jest.fn(() => Promise.resolve('utility-1'));
export const getAllUtilityInfo = jest.fn(() => Promise.resolve([{ id: 'utility-1', utilityVisible: false }]));
export const getUtilityInfo = jest.fn(() => Promise.resolve({ id: 'utility-1', utilityVisible: false }));
export const open = jest.fn(() => Promise.resolve(true));
export const minimize = jest.fn(() => Promise.resolve(true));
export const toggleModal = jest.fn(() => Promise.resolve(true));
export const setPanelHeaderLabel = jest.fn(() => Promise.resolve(true));
export const setUtilityLabel = jest.fn(() => Promise.resolve(true));
export const setUtilityHighlighted = jest.fn(() => Promise.resolve(true));
export const setPanelHeight = jest.fn(() => Promise.resolve(true));
export const setPanelWidth = jest.fn(() => Promise.resolve(true));
export const updatePanel = jest.fn(() => Promise.resolve(true));
export const enableModal = jest.fn(() => Promise.resolve(true));
export const onUtilityClick = jest.fn(() => Promise.resolve(true));
