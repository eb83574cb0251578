// Spec walks against the REAL local stack (Teams simulator + Salesforce emulator + relay process) and the console
// preview in Chromium: one stack per test file, a fresh browser per test. DEVELOPMENT ONLY.
import type { TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startPreview } from '../preview/server.ts';
import type { PreviewUser } from '../src/salesforce-emulator/apex/preview-org.ts';
import { freePort, startStack, type Stack } from '../src/stack.ts';
import { ensurePreviewBuilt, launchBrowser, requireChromium, saveScreenshot, type BrowserSession } from './harness.ts';

export { saveScreenshot };

/** A caller whose number matches exactly one seeded contact (Ada Caller). */
export const KNOWN_CALLER = { number: '+15555550123', display: '+1 (555) 555-0123', contact: 'Ada Caller' };
/** Bounded wait for anything that crosses the relay and the event bus. */
export const WAIT_MS = 20_000;
/** Bounded wait for the relay's next presence read (the local stack sets RELAY_PRESENCE_POLL_SECONDS=2). */
export const PRESENCE_WAIT_MS = WAIT_MS;

export interface SimCall {
  id: string;
  state: string;
}

export interface LiveStack {
  stack: Stack;
  previewUrl: string;
  users: PreviewUser[];
  /** The demo agent with the given first name (Alice, Bob, Carol, Dana). */
  user(firstName: string): PreviewUser;
  /** POST/GET the Teams simulator's control API (`/_sim/...`); throws on a non-2xx answer. */
  sim<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts the stack and the preview once for a test file (call in `before`, stop in `after`). */
export async function startLiveStack(): Promise<LiveStack> {
  await ensurePreviewBuilt();
  const previewPort = await freePort(0, 'console preview', 'PREVIEW_PORT');
  const stack = await startStack({
    relayLogLevel: 'warn',
    relayOutput: 'capture',
    streamOrigins: [`http://127.0.0.1:${previewPort}`]
  });
  let preview: Awaited<ReturnType<typeof startPreview>> | undefined;
  let users: PreviewUser[];
  try {
    preview = await startPreview({
      port: previewPort,
      backendUrl: stack.salesforce.url,
      simulatorUrl: stack.teams.url
    });
    users = (await (await fetch(`${preview.url}/_preview/users`)).json()) as PreviewUser[];
  } catch (error) {
    // The relay is a child process: leaving it running would keep the test file alive forever.
    await preview?.stop();
    await stack.stop();
    throw error;
  }
  const previewUrl = preview.url;
  const sim = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    // Through the preview's proxy: the emulators serve HTTPS with a throwaway self-signed certificate.
    const response = await fetch(`${previewUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_sim${path} → ${response.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return {
    stack,
    previewUrl,
    users,
    user(firstName) {
      const found = users.find((u) => u.name.toLowerCase().startsWith(firstName.toLowerCase()));
      if (!found) throw new Error(`no demo user ${firstName} in ${users.map((u) => u.name).join(', ')}`);
      return found;
    },
    sim,
    async stop() {
      await preview?.stop();
      await stack.stop();
    }
  };
}

export interface AgentPage {
  browser: BrowserSession;
  page: Page;
  agent: PreviewUser;
  /** The softphone (inside the utility panel). */
  softphone: Locator;
  /** The softphone card of the (only) call in the given state heading, or of any call. */
  callCard(): Locator;
  teamsPanel: Locator;
  callerPanel: Locator;
}

/**
 * Opens the console as the agent with the softphone utility open; resolves once the softphone is ready (its
 * presence line is shown and its agent stream is open, B10) so events published afterwards reach it.
 * @returns null when Chromium is missing (the gate has already failed or marked the test not run)
 */
export async function openConsole(
  t: TestContext,
  live: LiveStack,
  agent: PreviewUser,
  query = 'utility=open',
  /** Runs in the page before any of its scripts (e.g. to watch what the browser receives). */
  initScript?: () => void
): Promise<AgentPage | null> {
  if (!requireChromium(t)) return null;
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;
  if (initScript) await page.addInitScript(initScript);
  // The softphone opens its agent stream after it renders; a call placed before that would not be seen live.
  const subscribed = page.waitForResponse(
    (r) => r.url().includes('/api/agent-stream') && r.request().method() === 'GET' && r.status() === 200,
    { timeout: WAIT_MS }
  );
  await page.goto(`${live.previewUrl}/?user=${agent.userId}&${query}`);
  const softphone = page.locator('c-teams-softphone');
  // A user without a Teams line (the admin) has a softphone that never opens a stream.
  if (agent.phoneNumber) await subscribed;
  else subscribed.catch(() => undefined);
  if (query.includes('utility=open')) {
    await softphone.locator('.presence-label').waitFor({ state: 'visible', timeout: WAIT_MS });
  }
  return {
    browser,
    page,
    agent,
    softphone,
    callCard: () => softphone.locator('section[data-call-id]').first(),
    teamsPanel: page.locator('#teams-calls'),
    callerPanel: page.locator('#caller-calls')
  };
}

/** Dials the line from the frame's Caller panel, as a person would. */
export async function dialFromCallerPanel(page: Page, from: string, to: string): Promise<void> {
  await page.locator('#caller-from').fill(from);
  await page.locator('#caller-to').fill(to);
  await page.locator('#caller-dial').click();
}

/** The simulator's one open call (the test placed exactly one). */
export async function openSimCall(live: LiveStack): Promise<SimCall> {
  const calls = await live.sim<SimCall[]>('GET', '/calls');
  const open = calls.filter((c) => c.state !== 'terminated');
  if (open.length !== 1) throw new Error(`expected one open call in the simulator, got ${JSON.stringify(calls)}`);
  return open[0]!;
}

/** Ends every open call in the simulator so the next test starts from idle. */
export async function hangUpEverything(live: LiveStack): Promise<void> {
  const calls = await live.sim<SimCall[]>('GET', '/calls');
  for (const call of calls.filter((c) => c.state !== 'terminated')) {
    await live.sim('POST', `/calls/${call.id}/caller-hangup`).catch(() => undefined);
  }
}

/** Dials the agent's line and waits until the softphone shows the ringing call and Teams rings. */
export async function ringAgent(live: LiveStack, agent: AgentPage, from = KNOWN_CALLER.number): Promise<Locator> {
  await dialFromCallerPanel(agent.page, from, agent.agent.phoneNumber!);
  await agent.teamsPanel.getByText(`Incoming call from ${from}`).waitFor({ timeout: WAIT_MS });
  const card = agent.callCard();
  await card.locator('.answer-in-teams').waitFor({ timeout: WAIT_MS });
  return card;
}

/** Accepts the ringing call in the Simulated Teams panel and waits for the softphone's active call. */
export async function acceptInTeams(agent: AgentPage): Promise<Locator> {
  await agent.teamsPanel.getByRole('button', { name: 'Accept' }).click();
  const card = agent.callCard();
  await card.locator('.duration-value').waitFor({ timeout: WAIT_MS });
  return card;
}

/** Clicks a softphone button (a lightning-button by its class) once it is enabled. */
export async function clickSoftphone(card: Locator, buttonClass: string): Promise<void> {
  const button = card.locator(`lightning-button.${buttonClass} button`);
  await button.waitFor({ timeout: WAIT_MS });
  await button.click();
}

/** Sets the agent's Teams presence in the Simulated Teams panel (the preview's presence picker). */
export async function setTeamsPresence(agent: AgentPage, availability: string): Promise<void> {
  await agent.page.locator('#presence').selectOption(availability);
}

/**
 * Puts a Teams user back to Available through the control API (test clean-up, not a user action), and waits until
 * the relay has acted on it: a call placed by the next test before then would still see the old status (Out of
 * office sends it straight to the rules).
 */
export async function resetPresence(live: LiveStack, teamsUserId: string): Promise<void> {
  await live.sim('POST', `/users/${teamsUserId}/presence`, { availability: 'Available', activity: 'Available' });
  await waitForRelayPresence(live, teamsUserId, 'Available');
}

/** Minimizes the softphone utility so a workspace tab is fully visible (as an agent would before reading it). */
export async function minimizeUtility(agent: AgentPage): Promise<void> {
  await agent.page.locator('#utility-minimize').click();
  await agent.page.locator('#utility-panel').waitFor({ state: 'hidden', timeout: WAIT_MS });
}

interface SimRequest {
  method: string;
  path: string;
}

/** How many Graph presence reads the relay has made so far (the simulator records every Graph request). */
export async function presenceReads(live: LiveStack): Promise<number> {
  const requests = await live.sim<SimRequest[]>('GET', '/requests');
  return requests.filter((r) => r.path.includes('getPresencesByUserId')).length;
}

/**
 * Waits (bounded) until Teams shows the user `availability` (a presence change in the panel reaches the simulator
 * asynchronously), then until the relay has acted on it: routing uses the relay's last poll, and the poller is one
 * loop, so once a second read has started after the change, the first read after it has been processed.
 */
export async function waitForRelayPresence(live: LiveStack, teamsUserId: string, availability: string): Promise<void> {
  const deadline = Date.now() + PRESENCE_WAIT_MS;
  for (;;) {
    const user = await live.sim<{ presence: { availability: string } }>('GET', `/users/${teamsUserId}`);
    if (user.presence.availability === availability) break;
    if (Date.now() > deadline) throw new Error(`Teams did not show ${availability} within ${PRESENCE_WAIT_MS} ms`);
    await new Promise((resolvePoll) => setTimeout(resolvePoll, 100));
  }
  await waitForPresencePoll(live, (await presenceReads(live)) + 1);
}

/** Waits (bounded) until the relay has started a presence read after `before` reads. */
export async function waitForPresencePoll(live: LiveStack, before: number): Promise<void> {
  const deadline = Date.now() + PRESENCE_WAIT_MS;
  while ((await presenceReads(live)) <= before) {
    if (Date.now() > deadline) throw new Error(`the relay did not read presence within ${PRESENCE_WAIT_MS} ms`);
    await new Promise((resolvePoll) => setTimeout(resolvePoll, 500));
  }
}
