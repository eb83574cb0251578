// The console frame around the real components (preview only): tabs, utility bar, user switcher, simulator panels.
// It publishes itself as globalThis.__teamsPreview (read by adapters/frameBridge.js) before loading the bundle.
const params = new URLSearchParams(location.search);
const BACKEND = params.get('backend') ?? '';
const SIM = params.get('sim') ?? '';
const UTILITY_ID = 'utility-teams-softphone';
const LANGUAGE = params.get('lang') ?? 'en';
document.documentElement.lang = LANGUAGE;
const POLL_MS = 1000;

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
};

// ---- navigation items: pinned tabs hosting the real components -------------------------------------------------

const NAV_ITEMS = [
  {
    tabId: 'nav-history',
    apiName: 'Teams_Call_History',
    label: 'Call history',
    labels: { de: 'Anrufliste' },
    component: 'teamsCallHistory'
  },
  {
    tabId: 'nav-redirect',
    apiName: 'Teams_Redirect_Settings',
    label: 'Redirect settings',
    labels: { de: 'Umleitungseinstellungen' },
    component: 'teamsRedirectSettings'
  },
  {
    tabId: 'nav-setup',
    apiName: 'Teams_Setup',
    label: 'Setup for admins',
    labels: { de: 'Teams Phone-Einrichtung' },
    component: 'teamsPhoneSetup',
    adminOnly: true
  }
];

/** @type {Array<{tabId: string, label: string, recordId?: string, pageReference?: any, pinned?: boolean, panel: HTMLElement}>} */
const tabs = [];
let focusedTabId = null;
let tabCounter = 0;
const pageListeners = new Set();
let bundle = null;

const tagName = (name) => `c-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function mount(componentName, host, props = {}) {
  const ctor = bundle?.components?.[componentName];
  if (!ctor) {
    host.append(el('p', { className: 'slds-text-color_weak', textContent: `${componentName} is not built yet.` }));
    return;
  }
  const element = bundle.createElement(tagName(componentName), { is: ctor });
  Object.assign(element, props);
  host.append(element);
}

/** Components on a record page, as the package's Lightning record pages place them (B08: the call timeline). */
const RECORD_PAGE_COMPONENTS = {
  TeamsCall__c: ['teamsCallTimeline'],
  // B09: the Call buttons, as an admin places teamsClickToDial on these record pages.
  Contact: ['teamsClickToDial'],
  Lead: ['teamsClickToDial'],
  Account: ['teamsClickToDial'],
  Case: ['teamsClickToDial']
};
const OBJECT_LABELS = { TeamsCall__c: 'Teams Call' };

function renderTabs() {
  const strip = $('tab-strip');
  strip.replaceChildren(
    ...tabs.map((tab) => {
      const item = el('li', { className: 'console-tab', role: 'presentation' });
      item.setAttribute('aria-selected', String(tab.tabId === focusedTabId));
      item.dataset.tabId = tab.tabId;
      const open = el('button', {
        className: 'console-tab__open',
        type: 'button',
        textContent: tab.label,
        role: 'tab'
      });
      open.addEventListener('click', () => focusTab(tab.tabId));
      item.append(open);
      if (!tab.pinned) {
        const close = el('button', {
          className: 'console-tab__close',
          type: 'button',
          textContent: '×',
          title: `Close ${tab.label}`
        });
        close.addEventListener('click', () => closeTab(tab.tabId));
        item.append(close);
      }
      return item;
    })
  );
  for (const tab of tabs) tab.panel.hidden = tab.tabId !== focusedTabId;
}

function focusTab(tabId) {
  const tab = tabs.find((t) => t.tabId === tabId);
  if (!tab) return false;
  focusedTabId = tabId;
  if (tab.component && !tab.mounted) {
    tab.mounted = true;
    mount(tab.component, tab.panel);
  }
  renderTabs();
  const pageReference = currentPageReference();
  for (const listener of pageListeners) listener(pageReference);
  return true;
}

function closeTab(tabId) {
  const index = tabs.findIndex((t) => t.tabId === tabId && !t.pinned);
  if (index < 0) return false;
  const [tab] = tabs.splice(index, 1);
  tab.panel.remove();
  if (focusedTabId === tabId) focusedTabId = tabs[Math.max(0, index - 1)]?.tabId ?? null;
  focusTab(focusedTabId);
  return true;
}

function addTab(tab) {
  $('tab-panels').append(tab.panel);
  tabs.push(tab);
  return tab;
}

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** A record tab: the emulator's GET /_preview/records/<id> when it answers, else just the id. */
async function fillRecordPanel(tab, recordId) {
  const heading = el('h1', { className: 'slds-text-heading_medium', textContent: recordId });
  const meta = el('p', { className: 'slds-text-color_weak', textContent: 'Record' });
  const fields = el('dl');
  tab.panel.append(el('article', { className: 'record-page' }, meta, heading, fields));
  try {
    const record = await fetchJson(`${BACKEND}/_preview/records/${encodeURIComponent(recordId)}`, {
      headers: { 'X-Preview-User': state.userId ?? '' }
    });
    if (!record) return;
    const caller = record.fields?.['Caller Name'] ?? record.fields?.['Caller Number'];
    tab.label = record.name ?? (record.objectApiName === 'TeamsCall__c' && caller ? `Call with ${caller}` : recordId);
    heading.textContent = tab.label;
    meta.textContent = OBJECT_LABELS[record.objectApiName] ?? record.objectApiName ?? 'Record';
    for (const [name, value] of Object.entries(record.fields ?? {})) {
      fields.append(el('dt', { textContent: name }), el('dd', { textContent: String(value ?? '') }));
      if (/phone/i.test(name) && value) {
        const dial = el('button', {
          className: 'slds-button slds-button_neutral',
          type: 'button',
          textContent: `Call ${value}`
        });
        dial.addEventListener('click', () =>
          globalThis.__teamsPreviewMessages?.publish('TeamsDialIntent__c', { phoneNumber: value, recordId })
        );
        fields.append(el('dt'), el('dd', {}, dial));
      }
    }
    for (const component of RECORD_PAGE_COMPONENTS[record.objectApiName] ?? []) {
      const slot = el('div', { className: 'record-page__component' });
      tab.panel.querySelector('.record-page').append(slot);
      mount(
        component,
        slot,
        component === 'teamsClickToDial' ? { recordId, objectApiName: record.objectApiName } : { recordId }
      );
    }
    renderTabs();
  } catch {
    // The record endpoint is optional; the tab keeps the id as its label.
  }
}

function openTab(options = {}) {
  const recordId = options.recordId ?? options.pageReference?.attributes?.recordId;
  if (recordId) {
    const existing = tabs.find((t) => t.recordId === recordId);
    if (existing) {
      if (options.focus !== false) focusTab(existing.tabId);
      return Promise.resolve(existing.tabId);
    }
  }
  const tabId = `tab-${++tabCounter}`;
  const pageReference = options.pageReference ?? (recordId ? recordPage(recordId) : null);
  const tab = addTab({
    tabId,
    label: options.label ?? recordId ?? describe(pageReference),
    recordId,
    pageReference,
    panel: el('div', { className: 'console-panel' })
  });
  if (recordId) fillRecordPanel(tab, recordId);
  else {
    tab.panel.append(
      el(
        'article',
        { className: 'record-page' },
        el('h1', { className: 'slds-text-heading_medium', textContent: tab.label }),
        el('pre', { textContent: JSON.stringify(pageReference, null, 2) })
      )
    );
  }
  if (options.focus !== false) focusTab(tabId);
  else renderTabs();
  return Promise.resolve(tabId);
}

const recordPage = (recordId) => ({ type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } });

function describe(pageReference) {
  const a = pageReference?.attributes ?? {};
  if (pageReference?.type === 'standard__objectPage' && a.actionName === 'new') return `New ${a.objectApiName}`;
  return a.objectApiName ?? a.apiName ?? pageReference?.type ?? 'Tab';
}

function navigate(pageReference) {
  if (pageReference?.type === 'standard__navItemPage') {
    const nav = NAV_ITEMS.find((n) => n.apiName === pageReference.attributes?.apiName);
    if (nav) return void focusTab(nav.tabId);
  }
  openTab({ pageReference, focus: true });
}

function tabInfo(tab) {
  return tab
    ? {
        tabId: tab.tabId,
        title: tab.label,
        recordId: tab.recordId,
        pageReference: tab.pageReference,
        focused: tab.tabId === focusedTabId
      }
    : null;
}

function currentPageReference() {
  const tab = tabs.find((t) => t.tabId === focusedTabId);
  return tab?.pageReference ?? null;
}

// ---- utility bar ----------------------------------------------------------------------------------------------

function setUtilityOpen(isOpen) {
  $('utility-panel').hidden = !isOpen;
  $('utility-softphone').setAttribute('aria-expanded', String(isOpen));
}

function updateUtility(options = {}) {
  if ('highlighted' in options)
    $('utility-softphone').classList.toggle('utility-bar__item_highlighted', Boolean(options.highlighted));
  if (options.label) $('utility-softphone').lastChild.textContent = ` ${options.label}`;
  return Promise.resolve(true);
}

// ---- toasts ---------------------------------------------------------------------------------------------------

function showToast({ title, message, variant } = {}) {
  const toast = el(
    'div',
    { className: `toast toast_${variant ?? 'info'}`, role: 'status' },
    el('strong', { textContent: title ?? '' })
  );
  if (message) toast.append(el('div', { textContent: message }));
  $('toasts').append(toast);
  setTimeout(() => toast.remove(), 5000);
}

// ---- Teams simulator and caller panels ------------------------------------------------------------------------

const state = { userId: null, user: null, users: [] };

async function sim(method, path, body) {
  return fetchJson(`${SIM}/_sim${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
}

function simAction(label, run) {
  return async () => {
    try {
      await run();
      await refreshSimulators();
    } catch (error) {
      showToast({ title: `${label} failed`, message: error.message, variant: 'error' });
    }
  };
}

function callCard(kind, buttons, heading, detail) {
  const card = el('div', { className: `sim-call ${kind === 'ringing' ? 'sim-call_ringing' : ''}` });
  card.append(el('div', { className: 'sim-call__who', textContent: heading }));
  card.append(el('div', { className: 'side__muted', textContent: detail }));
  const row = el('div', { className: 'slds-m-top_x-small' });
  for (const [label, variant, action] of buttons) {
    const button = el('button', { className: `slds-button ${variant}`, type: 'button', textContent: label });
    button.addEventListener('click', action);
    row.append(button);
  }
  card.append(row);
  return card;
}

/** The simulator's call views are Graph call resources; the caller is the phone identity of the source. */
const callerOf = (call) => {
  const phone = call?.source?.identity?.phone;
  return phone?.displayName ? `${phone.displayName} (${phone.id})` : (phone?.id ?? 'unknown caller');
};
const lineOf = (call) => {
  const line = call?.targets?.[0]?.identity?.applicationInstance;
  return line?.displayName ?? line?.id ?? 'a Teams line';
};

function renderTeams(me, calls) {
  const teamsUserId = state.user.teamsUserId;
  const byId = new Map(calls.map((c) => [c.id, c]));
  const availability = me?.presence?.availability;
  if (availability && document.activeElement !== $('presence')) {
    // Presenting and Out of office are Teams activities on top of an availability (Graph presence).
    const combined = `${availability}/${me.presence.activity}`;
    const hasCombined = [...$('presence').options].some((o) => o.value === combined);
    $('presence').value = hasCombined ? combined : availability;
  }
  const act = (verb, callId) =>
    simAction(verb, () => sim('POST', `/users/${encodeURIComponent(teamsUserId)}/${verb}`, { callId }));
  const ringing = (me?.ringing ?? []).map((ring) =>
    callCard(
      'ringing',
      [
        ['Accept', 'slds-button_brand', act('accept', ring.callId)],
        ['Decline', 'slds-button_destructive', act('decline', ring.callId)]
      ],
      // B09: a call the agent dialled from Salesforce rings them first; accepting it dials the number.
      ring.kind === 'outbound'
        ? 'Outgoing call placed from Salesforce'
        : `Incoming call from ${callerOf(byId.get(ring.callId))}`,
      ring.kind === 'invite' ? 'Ringing in Teams' : `Ringing in Teams (${ring.kind})`
    )
  );
  const active = (me?.inCalls ?? []).map((callId) =>
    callCard(
      'active',
      [['Hang up', 'slds-button_destructive', act('hangup', callId)]],
      `In a call with ${callerOf(byId.get(callId))}`,
      `State: ${byId.get(callId)?.state ?? 'unknown'}`
    )
  );
  $('teams-calls').replaceChildren(...ringing, ...active);
  $('teams-status').textContent = ringing.length + active.length ? '' : 'No calls in Teams.';
}

/** Who a caller talks to once the line handed the call on (a demo agent's Teams, or a number). */
function handedToLabel(key) {
  const user = state.users.find((u) => u.teamsUserId === key);
  return user ? `${user.name} in Teams` : key;
}

const CALLER_STATES = {
  incoming: () => 'Ringing',
  establishing: () => 'Connecting',
  established: () => 'Connected',
  redirecting: () => 'Being redirected',
  redirected: (call) => `Connected to ${handedToLabel(call.handedTo)}`,
  transferring: () => 'Being transferred',
  transferAccepted: () => 'Being transferred',
  transferred: (call) => `Connected to ${handedToLabel(call.handedTo)}`
};

/** A caller's call is over once it terminated or the caller left it: it no longer offers Hang up. */
const isCallerLegOpen = (call) =>
  !['terminated', 'terminating'].includes(call.state) &&
  !(call.participants ?? []).some((p) => p.kind === 'caller' && p.state === 'left');

function renderCaller(calls) {
  const open = calls.filter(isCallerLegOpen);
  $('caller-calls').replaceChildren(
    ...open.map((call) =>
      callCard(
        'active',
        [
          [
            'Hang up',
            'slds-button_destructive',
            simAction('Hang up', () => sim('POST', `/calls/${encodeURIComponent(call.id)}/caller-hangup`, {}))
          ]
        ],
        `${callerOf(call)} → ${lineOf(call)}`,
        CALLER_STATES[call.state]?.(call) ?? `State: ${call.state}`
      )
    )
  );
  $('caller-status').textContent = open.length ? '' : 'No active calls.';
}

async function refreshSimulators() {
  try {
    const calls = (await sim('GET', '/calls')) ?? [];
    renderCaller(calls);
    if (state.user?.teamsUserId) {
      renderTeams(await sim('GET', `/users/${encodeURIComponent(state.user.teamsUserId)}`), calls);
    } else {
      $('teams-status').textContent = 'The signed-in agent has no Teams user.';
    }
  } catch (error) {
    $('teams-status').textContent = 'Teams simulator not reachable.';
    $('teams-status').title = error.message;
  }
}

/** A picker value is an availability, or "availability/activity" for Presenting and Out of office. */
function presenceBody(value) {
  const [availability, activity] = value.split('/');
  return activity ? { availability, activity } : { availability };
}

function startSimulatorPanels() {
  $('presence').addEventListener('change', (event) =>
    simAction('Presence', () =>
      sim(
        'POST',
        `/users/${encodeURIComponent(state.user?.teamsUserId ?? '')}/presence`,
        presenceBody(event.target.value)
      )
    )()
  );
  $('caller-dial').addEventListener(
    'click',
    simAction('Dial', () =>
      sim('POST', '/calls', { from: $('caller-from').value.trim(), to: $('caller-to').value.trim() })
    )
  );
  $('caller-lines').replaceChildren(
    ...state.users
      .filter((u) => u.phoneNumber)
      .map((u) => el('option', { value: u.phoneNumber, label: `${u.name} ${u.phoneNumber}` }))
  );
  $('caller-to').value = state.user?.phoneNumber ?? '';
  $('teams-user').textContent = state.user ? `— ${state.user.name}` : '';
  refreshSimulators();
  setInterval(refreshSimulators, POLL_MS);
}

// ---- start ----------------------------------------------------------------------------------------------------

function banner(text) {
  $('banner').hidden = false;
  $('banner').textContent = text;
}

async function loadUsers() {
  try {
    const users = (await fetchJson(`${BACKEND}/_preview/users`)) ?? [];
    state.users = users.map((u) => ({ ...u, userId: u.userId ?? u.id }));
  } catch (error) {
    banner(`Could not load the demo agents from the Salesforce emulator (${error.message}).`);
  }
  const wanted = params.get('user') ?? localStorage.getItem('teamsPreview.user');
  state.user = state.users.find((u) => u.userId === wanted) ?? state.users[0] ?? null;
  state.userId = state.user?.userId ?? null;
  if (state.userId) localStorage.setItem('teamsPreview.user', state.userId);
  const switcher = $('user-switcher');
  switcher.replaceChildren(
    ...state.users.map((u) => el('option', { value: u.userId, textContent: `${u.name}${u.isAdmin ? ' (admin)' : ''}` }))
  );
  if (state.userId) switcher.value = state.userId;
  // @salesforce/user/Id is a constant of the bundle, so another agent means another page load, as on the platform.
  switcher.addEventListener('change', () => {
    params.set('user', switcher.value);
    location.search = params.toString();
  });
}

async function start() {
  await loadUsers();
  globalThis.__teamsPreview = {
    userId: state.userId,
    // The signed-in user's language: ?lang=de shows the package's German labels (base components stay English).
    language: LANGUAGE,
    backendUrl: BACKEND,
    utilityId: UTILITY_ID,
    isConsole: true,
    openUtility: () => (setUtilityOpen(true), Promise.resolve(true)),
    minimizeUtility: () => (setUtilityOpen(false), Promise.resolve(true)),
    updateUtility: (_id, options) => updateUtility(options),
    utilityInfo: () =>
      Promise.resolve({ id: UTILITY_ID, utilityLabel: 'Teams Phone', utilityVisible: !$('utility-panel').hidden }),
    openTab,
    focusTab: (tabId) => Promise.resolve(focusTab(tabId)),
    closeTab: (tabId) => Promise.resolve(closeTab(tabId)),
    focusedTabInfo: () => Promise.resolve(tabInfo(tabs.find((t) => t.tabId === focusedTabId))),
    allTabInfo: () => Promise.resolve(tabs.map(tabInfo)),
    setTabLabel: (tabId, label) => {
      const tab = tabs.find((t) => t.tabId === tabId);
      if (tab) tab.label = label;
      renderTabs();
      return Promise.resolve(Boolean(tab));
    },
    navigate,
    urlFor: (pageReference) => `#${encodeURIComponent(JSON.stringify(pageReference))}`,
    currentPageReference,
    onPageReferenceChange: (listener) => {
      pageListeners.add(listener);
      return () => pageListeners.delete(listener);
    }
  };
  document.addEventListener('lightning__showtoast', (event) => showToast(event.detail));
  $('utility-softphone').addEventListener('click', () => setUtilityOpen($('utility-panel').hidden));
  $('utility-minimize').addEventListener('click', () => setUtilityOpen(false));

  try {
    bundle = await import('/dist/preview.js');
  } catch (error) {
    banner(`The preview bundle did not load (${error.message}). Run the preview build first.`);
    return;
  }
  for (const nav of NAV_ITEMS) {
    if (nav.adminOnly && !state.user?.isAdmin) continue;
    addTab({
      tabId: nav.tabId,
      // The tab labels as translated in the package (customTabs of de.translation-meta.xml).
      label: nav.labels?.[LANGUAGE] ?? nav.label,
      pinned: true,
      component: nav.component,
      pageReference: { type: 'standard__navItemPage', attributes: { apiName: nav.apiName }, state: {} },
      panel: el('div', { className: 'console-panel' })
    });
  }
  focusTab(tabs[0]?.tabId ?? null);
  // Utility items load with the console (not on first click), so the softphone hears calls while minimized.
  mount('teamsSoftphone', $('utility-body'));
  if (params.get('utility') === 'open') setUtilityOpen(true);
  startSimulatorPanels();
  document.body.dataset.previewReady = 'true';
}

start();
