/** lightning/platformShowToastEvent for the preview: the frame listens for the event and shows an SLDS toast. */
export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super('lightning__showtoast', { bubbles: true, composed: true, cancelable: true, detail: { ...(toast ?? {}) } });
  }
}
