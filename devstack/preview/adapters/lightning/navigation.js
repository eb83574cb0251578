import { frame } from '../frameBridge.js';

/**
 * lightning/navigation for the preview. LBC's own module delegates to the platform's force/navigation, which does not
 * exist outside Salesforce; here navigation opens or switches the frame's tabs.
 */
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export function NavigationMixin(Base) {
  return class extends Base {
    [Navigate](pageReference, replace) {
      frame().navigate(pageReference, Boolean(replace));
    }
    [GenerateUrl](pageReference) {
      return Promise.resolve(frame().urlFor(pageReference));
    }
  };
}
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export class CurrentPageReference {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
    this.stop = null;
  }
  connect() {
    this.dataCallback(frame().currentPageReference());
    this.stop = frame().onPageReferenceChange((pageReference) => this.dataCallback(pageReference));
  }
  disconnect() {
    if (this.stop) this.stop();
    this.stop = null;
  }
  update() {}
}
