// Trust the emulators' throwaway self-signed certificate in this test process only: jsforce goes through its
// own undici dispatcher, and tests use undici's fetch with the same CA. Nothing is disabled globally.
import { createRequire } from 'node:module';
import { Agent, fetch as undiciFetch, type RequestInit } from 'undici';

const require = createRequire(import.meta.url);

let agent: Agent | undefined;

export function trustCertificate(certPem: string): void {
  agent = new Agent({ connect: { ca: certPem, allowH2: false } });
  (require('jsforce/lib/request') as { setDispatcher(d: Agent): void }).setDispatcher(agent);
}

export function trustedFetch(url: string, init: RequestInit = {}): ReturnType<typeof undiciFetch> {
  return undiciFetch(url, { ...init, dispatcher: agent });
}
