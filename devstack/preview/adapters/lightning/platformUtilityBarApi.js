import { frame } from '../frameBridge.js';

/** lightning/platformUtilityBarApi for the preview: the frame's utility bar plays the console's. */
export class EnclosingUtilityId {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }
  connect() {
    this.dataCallback(frame().utilityId);
  }
  disconnect() {}
  update() {}
}

export const open = (utilityId, options) => frame().openUtility(utilityId, options);
export const minimize = (utilityId) => frame().minimizeUtility(utilityId);
export const getInfo = (utilityId) => frame().utilityInfo(utilityId);
export const getAllUtilityInfo = () =>
  frame()
    .utilityInfo()
    .then((info) => (info ? [info] : []));
export const updateUtility = (utilityId, options) => frame().updateUtility(utilityId, options);
export const updatePanel = (utilityId, options) => frame().updateUtility(utilityId, options);
export const enablePopout = () => Promise.resolve(true);
export const enableModal = () => Promise.resolve(true);
export const onUtilityClick = () => Promise.resolve(true);
