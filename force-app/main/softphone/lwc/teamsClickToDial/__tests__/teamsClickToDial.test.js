import { createElement } from 'lwc';
import TeamsClickToDial from 'c/teamsClickToDial';
import { getRecord } from 'lightning/uiRecordApi';

/** The test adapter behind @wire(getRecord): delivers the record as the platform would. */
const emitRecord = (data) => getRecord.emit(data); // eslint-disable-line @lwc/lwc/no-unexpected-wire-adapter-usages
import dial from '@salesforce/apex/TeamsSoftphoneController.dial';
import { flushPromises, resetDom } from '../../../../../../jest-mocks/utils';

jest.mock('@salesforce/apex/TeamsSoftphoneController.dial', () => ({ default: jest.fn() }), { virtual: true });

const contact = (fields) => ({
  apiName: 'Contact',
  id: '003000000000001AAA',
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { value: v, displayValue: null }]))
});

async function render(objectApiName = 'Contact') {
  const element = createElement('c-teams-click-to-dial', { is: TeamsClickToDial });
  element.recordId = '003000000000001AAA';
  element.objectApiName = objectApiName;
  document.body.appendChild(element);
  await flushPromises();
  return element;
}
const $ = (el, s) => el.shadowRoot.querySelector(s);
const $$ = (el, s) => Array.from(el.shadowRoot.querySelectorAll(s));

afterEach(() => {
  resetDom();
  jest.clearAllMocks();
});

describe('[B09] Call buttons on a record page', () => {
  it('[B09] one button per distinct phone number of the record', async () => {
    const el = await render();
    emitRecord(contact({ Phone: '+442079460000', MobilePhone: '+447700900555' }));
    await flushPromises();
    expect($$(el, 'lightning-button.call').map((b) => b.dataset.number)).toEqual(['+442079460000', '+447700900555']);
  });

  it('[B09] a click dials the number with a request id; Teams rings the agent first', async () => {
    dial.mockResolvedValue('cmd-1');
    const el = await render();
    emitRecord(contact({ Phone: '+442079460000', MobilePhone: null }));
    await flushPromises();
    $(el, 'lightning-button.call').click();
    await flushPromises();
    expect(dial).toHaveBeenCalledTimes(1);
    expect(dial.mock.calls[0][0].phoneNumber).toBe('+442079460000');
    expect(dial.mock.calls[0][0].requestId).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    expect($(el, '.status')).not.toBeNull();
  });

  it('[B09] a double click dials once; a refusal is shown as Apex words it', async () => {
    let refuse;
    dial.mockImplementation(() => new Promise((_resolve, reject) => (refuse = reject)));
    const el = await render();
    emitRecord(contact({ Phone: '+442079460000' }));
    await flushPromises();
    $(el, 'lightning-button.call').click();
    $(el, 'lightning-button.call').click();
    await flushPromises();
    expect(dial).toHaveBeenCalledTimes(1);
    refuse({ body: { message: 'You have no active phone line. Ask your admin to set one up.' } });
    await flushPromises();
    expect($(el, '.error').textContent).toBe('You have no active phone line. Ask your admin to set one up.');
    expect($(el, 'lightning-button.call').disabled).toBe(false);
  });

  it('[B09] a record without a number says so and offers no button', async () => {
    const el = await render();
    emitRecord(contact({ Phone: null, MobilePhone: '  ' }));
    await flushPromises();
    expect($$(el, 'lightning-button.call')).toEqual([]);
    expect($(el, '.no-number')).not.toBeNull();
  });

  it('[B09] a Case offers its contact phone numbers', async () => {
    const el = await render('Case');
    emitRecord({
      apiName: 'Case',
      id: '500000000000001AAA',
      fields: { ContactPhone: { value: '+4930123456', displayValue: null }, ContactMobile: { value: null } }
    });
    await flushPromises();
    expect($$(el, 'lightning-button.call').map((b) => b.dataset.number)).toEqual(['+4930123456']);
  });
});
