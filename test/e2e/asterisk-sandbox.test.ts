import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { access, readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { e2eAvailability, E2E_SETUP_TIMEOUT_MS } from '../helpers/asterisk.js';
import { freeSandboxUdpPort, SANDBOX_SCRIPT, startAsterisk, udpPortFree, waitForAri } from '../helpers/asterisk-sandbox.js';
import { placeCall, startSippUas } from '../helpers/sipp.js';
import { freePort } from '../helpers/redis-server.js';

const execFileAsync = promisify(execFile);
const availability = await e2eAvailability();
const usesSandbox = availability.run && !process.env.ASTERISK_ARI_URL;
/** The kernel ends a PID namespace's processes right after its first one dies; this bounds a broken run. */
const KILLED_GONE_TIMEOUT_MS = 10_000;

/** Pids whose command line names the run directory: the sandbox's Asterisk. */
async function processesOf(runDir: string): Promise<number[]> {
  const inside = runDir.slice(runDir.indexOf('/srv/'));
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(inside)) pids.push(Number(name));
  }
  return pids;
}

interface Socket {
  protocol: string;
  address: string;
  port: number;
}

async function socketsOf(pid: number): Promise<Socket[]> {
  const { stdout } = await execFileAsync('ss', ['-lntupH']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => {
      const [protocol = '', , , , local = ''] = line.trim().split(/\s+/);
      const separator = local.lastIndexOf(':');
      return { protocol, address: local.slice(0, separator), port: Number(local.slice(separator + 1)) };
    });
}

describe.skipIf(!usesSandbox)('the Asterisk sandbox', () => {
  it(
    'listens for ARI and SIP on loopback only; the only wildcard sockets are two UDP DNS client sockets',
    async () => {
      const asterisk = await startAsterisk();
      try {
        const pids = await processesOf(asterisk.runDir);
        const sockets = (await Promise.all(pids.map(socketsOf))).flat();
        expect(sockets).toContainEqual({ protocol: 'tcp', address: '127.0.0.1', port: Number(new URL(asterisk.ariUrl).port) });
        expect(sockets).toContainEqual({ protocol: 'udp', address: '127.0.0.1', port: asterisk.sipPort });
        const wide = sockets.filter((socket) => socket.address !== '127.0.0.1');
        // PJSIP's DNS resolver: one IPv4 and one IPv6 socket on kernel-chosen ports.
        expect(wide.every((socket) => socket.protocol === 'udp')).toBe(true);
        expect(wide.length).toBeLessThanOrEqual(2);
      } finally {
        await asterisk.stop();
      }
    },
    E2E_SETUP_TIMEOUT_MS,
  );

  it(
    'takes its SIP and far-end ports from above the RTP range and below the ephemeral range, which no bind(0) draws from',
    async () => {
      const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
      const asterisk = await startAsterisk();
      try {
        const rtpEnd = Number(/Port end:\s*(\d+)/.exec(await asterisk.cli('rtp show settings'))?.[1]);
        for (const port of [asterisk.sipPort, asterisk.farEndPort]) {
          expect(port).toBeGreaterThan(rtpEnd);
          expect(port).toBeLessThan(low as number);
        }
        expect((await placeCall({ from: '+4930111', to: '+4930555000', target: `127.0.0.1:${asterisk.sipPort}` })).status).toBe(200);
      } finally {
        await asterisk.stop();
      }
    },
    E2E_SETUP_TIMEOUT_MS,
  );

  it(
    'holds its far-end port bound until the far end starts there, so no other sandbox picks it meanwhile',
    async () => {
      const asterisk = await startAsterisk();
      try {
        expect(await udpPortFree(asterisk.farEndPort)).toBe(false);
        const uas = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
        await uas.stop();
        expect(await udpPortFree(asterisk.farEndPort)).toBe(true);
      } finally {
        await asterisk.stop();
      }
    },
    E2E_SETUP_TIMEOUT_MS,
  );

  it(
    'refuses to start, naming the port, when its SIP port was taken before Asterisk bound it (no PBX without a transport)',
    async () => {
      const holder = createSocket('udp4');
      const sipPort = await freeSandboxUdpPort();
      await new Promise<void>((resolve) => holder.bind(sipPort, '127.0.0.1', () => resolve()));
      try {
        await expect(startAsterisk({ sipPort })).rejects.toThrow(`SIP port 127.0.0.1:${sipPort}/udp was taken`);
      } finally {
        holder.close();
      }
    },
    E2E_SETUP_TIMEOUT_MS,
  );

  it(
    'a stopped sandbox leaves no process, no mount and no run directory behind',
    async () => {
      const asterisk = await startAsterisk();
      expect(await processesOf(asterisk.runDir)).not.toEqual([]);
      await asterisk.stop();
      expect(await processesOf(asterisk.runDir)).toEqual([]);
      expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(asterisk.runDir.slice(0, asterisk.runDir.indexOf('/srv/')));
      await expect(access(asterisk.runDir)).rejects.toThrow();
    },
    E2E_SETUP_TIMEOUT_MS,
  );

  it(
    'Asterisk dies with the process that started it, even when that one is killed (SIGKILL)',
    async () => {
      const httpPort = await freePort();
      const env = { ...process.env, CALLGUARD_SANDBOX_OWNER: String(process.pid) };
      const { stdout } = await execFileAsync(SANDBOX_SCRIPT, ['prepare', String(httpPort), String(await freeSandboxUdpPort()), String(await freeSandboxUdpPort())], { env });
      const runDir = stdout.trim();
      const starter = spawn(SANDBOX_SCRIPT, ['exec', runDir], { stdio: 'ignore' });
      try {
        await waitForAri({ ariUrl: `http://127.0.0.1:${httpPort}`, ariUser: 'callguard', ariPassword: 'callguard', sipHost: '127.0.0.1', sipPort: 0, farEndPort: 0 }, 30_000);
        expect(await processesOf(runDir)).not.toEqual([]);
        starter.kill('SIGKILL');
        const deadline = Date.now() + KILLED_GONE_TIMEOUT_MS;
        while ((await processesOf(runDir)).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await processesOf(runDir)).toEqual([]);
      } finally {
        await execFileAsync(SANDBOX_SCRIPT, ['cleanup', runDir]);
      }
    },
    E2E_SETUP_TIMEOUT_MS,
  );
});
