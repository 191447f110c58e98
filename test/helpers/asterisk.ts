import { sandboxUnavailableReason, startAsterisk, type AsteriskTarget } from './asterisk-sandbox.js';
import { assertMayUseAsterisk } from './test-kind.js';

/** The Asterisk one end-to-end test file runs against. */
export interface E2eAsterisk extends AsteriskTarget {
  /** `host:port` for sipp. */
  sipTarget: string;
  /** Asterisk CLI access; only the sandbox has it, not an ASTERISK_ARI_URL instance. */
  cli?: (command: string) => Promise<string>;
  stop(): Promise<void>;
}

export type E2eAvailability = { run: true } | { run: false; reason: string };

/** Provisioning the root on first use takes a minute or two; a warm start is seconds. */
export const E2E_SETUP_TIMEOUT_MS = 600_000;

/** Port of the far end in the shipped pjsip.conf, for an Asterisk we did not start. */
const SHIPPED_FAR_END_PORT = 5070;
const DEFAULT_SIP_PORT = 5060;

function externalTarget(): E2eAsterisk | undefined {
  const ariUrl = process.env.ASTERISK_ARI_URL;
  if (!ariUrl) return undefined;
  const url = new URL(ariUrl);
  const [sipHost, sipPortText] = (process.env.ASTERISK_SIP_TARGET ?? `${url.hostname}:${DEFAULT_SIP_PORT}`).split(':');
  const sipPort = Number(sipPortText);
  if (!sipHost || !Number.isInteger(sipPort)) {
    throw new Error(`ASTERISK_SIP_TARGET must be host:port, got ${process.env.ASTERISK_SIP_TARGET}`);
  }
  return {
    ariUrl: ariUrl.replace(/\/+$/, ''),
    ariUser: process.env.ASTERISK_ARI_USER ?? 'callguard',
    ariPassword: process.env.ASTERISK_ARI_PASSWORD ?? 'callguard',
    sipHost,
    sipPort,
    sipTarget: `${sipHost}:${sipPort}`,
    farEndPort: SHIPPED_FAR_END_PORT,
    stop: async () => undefined,
  };
}

/**
 * Whether the end-to-end tests can run here: an Asterisk named by ASTERISK_ARI_URL, or
 * the sandbox. When neither, they are skipped with the reason printed, except under
 * CI=true, where this throws so the run fails instead of passing without them.
 */
export async function e2eAvailability(): Promise<E2eAvailability> {
  if (process.env.ASTERISK_ARI_URL) return { run: true };
  const reason = await sandboxUnavailableReason();
  if (reason === undefined) return { run: true };
  const message = `end-to-end tests need a real Asterisk: the sandbox ${reason}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: failing instead of skipping)`);
  console.warn(`SKIPPED: ${message}`);
  return { run: false, reason: message };
}

/**
 * The Asterisk for one test file: the one ASTERISK_ARI_URL names, or a sandbox Asterisk
 * of its own (so files running in parallel never share the Stasis app name).
 */
export async function useAsterisk(): Promise<E2eAsterisk> {
  assertMayUseAsterisk();
  const external = externalTarget();
  if (external) return external;
  const sandbox = await startAsterisk();
  return { ...sandbox, sipTarget: `${sandbox.sipHost}:${sandbox.sipPort}` };
}
