// [B06] the frame's "Simulated Teams" panel drives the Teams simulator's control API, as a person would by clicking.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startPreview } from '../preview/server.ts';
import { AGENT, CALLER_NUMBER, startSoftphoneBackend } from './softphone-fixture.ts';
import { ensurePreviewBuilt, launchBrowser, requireChromium, saveScreenshot } from './harness.ts';

interface ControlRequest {
  method: string;
  path: string;
  body: unknown;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : null;
}

/** The simulator's control API shapes (devstack/src/teams-simulator/server.ts), for one call ringing the agent. */
async function startFakeSimulator() {
  const requests: ControlRequest[] = [];
  let accepted = false;
  const call = () => ({
    id: 'sim-call-1',
    state: accepted ? 'established' : 'establishing',
    direction: 'incoming',
    source: { identity: { phone: { id: CALLER_NUMBER } } },
    targets: [{ identity: { applicationInstance: { id: 'line-1', displayName: 'Alex line' } } }]
  });
  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://sim').pathname;
      requests.push({ method: req.method ?? 'GET', path, body: req.method === 'POST' ? await readJson(req) : null });
      res.setHeader('Content-Type', 'application/json');
      if (req.method === 'GET' && path === '/_sim/calls') return res.end(JSON.stringify([call()]));
      if (req.method === 'GET' && path === `/_sim/users/${AGENT.teamsUserId}`) {
        return res.end(
          JSON.stringify({
            id: AGENT.teamsUserId,
            ringing: accepted ? [] : [{ callId: 'sim-call-1', kind: 'invite', since: new Date().toISOString() }],
            inCalls: accepted ? ['sim-call-1'] : [],
            presence: { availability: accepted ? 'Busy' : 'Available', activity: accepted ? 'InACall' : 'Available' }
          })
        );
      }
      if (req.method === 'POST' && path === `/_sim/users/${AGENT.teamsUserId}/accept`) {
        accepted = true;
        return res.end(JSON.stringify({ ok: true }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'NotFound' }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

test('[B06] the Simulated Teams panel shows the call ringing the agent in Teams, and Accept answers it in the simulator', async (t) => {
  if (!requireChromium(t)) return;
  await ensurePreviewBuilt();
  const backend = await startSoftphoneBackend();
  t.after(() => backend.stop());
  const simulator = await startFakeSimulator();
  t.after(() => simulator.stop());
  const preview = await startPreview({ backendUrl: backend.url, simulatorUrl: simulator.url });
  t.after(() => preview.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const { page } = browser;

  await page.goto(`${preview.url}/?user=${AGENT.userId}`);
  const panel = page.locator('#teams-calls');
  await panel.getByText('Incoming call from +14155550123').waitFor({ state: 'visible', timeout: 15_000 });
  await saveScreenshot(page, 'simulated-teams-ringing');
  await panel.getByRole('button', { name: 'Accept' }).click();
  await panel.getByText('In a call with +14155550123').waitFor({ state: 'visible', timeout: 10_000 });

  const accepts = simulator.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/accept'));
  assert.deepEqual(accepts, [
    { method: 'POST', path: `/_sim/users/${AGENT.teamsUserId}/accept`, body: { callId: 'sim-call-1' } }
  ]);
  assert.equal(await panel.getByRole('button', { name: 'Hang up' }).count(), 1);
  assert.equal(await page.locator('#presence').inputValue(), 'Busy');
});
