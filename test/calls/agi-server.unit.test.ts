import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connect, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgiServer, parseAgiReply, parseAgiScript, quoteAgiArgument, type AgiHandler } from '../../src/calls/agi-server.js';
import { GONE } from '../../src/calls/call-control.js';
import type { AgiSessionTrace } from '../../src/calls/call-trace.js';
import { createLogger } from '../../src/log.js';
import { FakeAsterisk } from './fake-agi-asterisk.js';

const log = createLogger({ level: 'silent' });

describe('the FastAGI protocol', () => {
  let server: AgiServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(handler: AgiHandler): Promise<number> {
    server = await AgiServer.listen({ host: '127.0.0.1', port: 0, handler, log });
    return server.address.port;
  }

  it('hands the handler the environment, the script and its query, then ends the session (AGI() returns)', async () => {
    let seen: { env: Record<string, string>; script: string; route?: string; number?: string } | undefined;
    const port = await serve(async (session) => {
      seen = { env: { ...session.env }, script: session.script, route: session.params.get('route'), number: session.params.get('n') };
    });
    const asterisk = await FakeAsterisk.session(port, {
      network: 'yes',
      network_script: 'screen?route=front-desk&n=+4930%20123',
      channel: 'PJSIP/trunk-00000001',
      callerid: '+4930123456',
    });
    await asterisk.ended;
    expect(seen).toEqual({
      env: { network: 'yes', network_script: 'screen?route=front-desk&n=+4930%20123', channel: 'PJSIP/trunk-00000001', callerid: '+4930123456' },
      script: 'screen',
      route: 'front-desk',
      number: '+4930 123',
    });
  });

  it('reads an environment that arrives in pieces, lines cut anywhere and ending in CRLF, and the reply after it', async () => {
    let seen: { env: Record<string, string>; value?: string } | undefined;
    const port = await serve(async (session) => {
      const read = await session.getVariable('CALLERID(pres)');
      seen = { env: { ...session.env }, ...(read.ok && read.value !== undefined ? { value: read.value } : {}) };
    });
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const command = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
    for (const piece of ['agi_network: yes\r', '\nagi_uniqueid: 1701.', '42\r\nagi_callerid: +49301', '23456\r\n', '\r\n']) {
      socket.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await command).toBe('GET VARIABLE CALLERID(pres)\n');
    socket.end('200 result=1 (allowed_not_screened)\r\n');
    await closed;
    expect(seen).toEqual({ env: { network: 'yes', uniqueid: '1701.42', callerid: '+4930123456' }, value: 'allowed_not_screened' });
  });

  it('sets a variable with its value quoted, and reads one back', async () => {
    let read: unknown;
    const port = await serve(async (session) => {
      await session.setVariable('CALLGUARD_REASON', 'said "stop" \\ twice');
      read = await session.getVariable('CALLGUARD_VERDICT');
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    expect(await asterisk.answer('200 result=1\n')).toBe('SET VARIABLE CALLGUARD_REASON "said \\"stop\\" \\\\ twice"');
    expect(await asterisk.answer('200 result=1 (blocked)\n')).toBe('GET VARIABLE CALLGUARD_VERDICT');
    await asterisk.ended;
    expect(read).toEqual({ ok: true, value: 'blocked' });
  });

  it('reads an expression substituted by Asterisk in one command (GET FULL VARIABLE), quoted', async () => {
    let read: unknown;
    const port = await serve(async (session) => {
      read = await session.getFullVariable('${A},${B}');
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    expect(await asterisk.answer('200 result=1 (%3Csip%3Ea%3E,)\n')).toBe('GET FULL VARIABLE "${A},${B}"');
    await asterisk.ended;
    expect(read).toEqual({ ok: true, value: '%3Csip%3Ea%3E,' });
  });

  it('a command sent while an earlier reply is still due reads its own reply, not the earlier one', async () => {
    const replies: unknown[] = [];
    let handled: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      handled = resolve;
    });
    const port = await serve(async (session) => {
      // A read that was given up on (it missed the decision deadline), then the last command.
      const late = session.getVariable('CALLERID(pres)').then(
        (value) => void replies.push(['read', value]),
        () => void replies.push(['read', 'no reply']),
      );
      await session.setVariableAndEnd('CALLGUARD_VERDICT', 'clear').then((value) => void replies.push(['set', value]));
      await late;
      handled();
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' }, true);
    await asterisk.serverEnded;
    expect(await asterisk.answer('200 result=1 (allowed)\n')).toBe('GET VARIABLE CALLERID(pres)');
    expect(await asterisk.answer('200 result=0\n')).toBe('SET VARIABLE CALLGUARD_VERDICT "clear"');
    await done;
    asterisk.end();
    await asterisk.ended;
    expect(replies).toEqual([
      ['read', { ok: true, value: 'allowed' }],
      ['set', { ok: true }],
    ]);
  });

  it('the last command has the session end right behind it, before its reply, and the reply is still read', async () => {
    let setDone: (set: unknown) => void = () => undefined;
    const set = new Promise<unknown>((resolve) => {
      setDone = resolve;
    });
    const port = await serve(async (session) => {
      setDone(await session.setVariableAndEnd('CALLGUARD_VERDICT', 'blocked'));
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' }, true);
    // Answered only once the end arrived: AGI() would return without waiting for callguard.
    await asterisk.serverEnded;
    expect(await asterisk.answer('200 result=1\n')).toBe('SET VARIABLE CALLGUARD_VERDICT "blocked"');
    expect(await set).toEqual({ ok: true });
    asterisk.end();
    await asterisk.ended;
  });

  it('a profiler subscribed to callguard:agi:session gets each session\'s steps in order when its socket closes', async () => {
    const traces: AgiSessionTrace[] = [];
    const onTrace = (message: unknown): void => {
      traces.push(message as AgiSessionTrace);
    };
    subscribe('callguard:agi:session', onTrace);
    try {
      const port = await serve(async (session) => {
        await session.setVariableAndEnd('CALLGUARD_VERDICT', 'blocked');
      });
      const asterisk = await FakeAsterisk.session(port, { network_script: 'screen?route=x', uniqueid: '1700000000.7' }, true);
      await asterisk.answer('200 result=1\n');
      asterisk.end();
      await asterisk.ended;
      await expect.poll(() => traces.length).toBe(1);
    } finally {
      unsubscribe('callguard:agi:session', onTrace);
    }
    const [trace] = traces as [AgiSessionTrace];
    expect(trace).toMatchObject({ channelId: '1700000000.7', script: 'screen' });
    const steps = [trace.acceptedAt, trace.environmentAt, trace.commandWrittenAt, trace.replyAt, trace.closedAt];
    expect(steps.every((step) => typeof step === 'number')).toBe(true);
    expect(steps).toEqual([...(steps as number[])].sort((a, b) => a - b));
  });

  it('a session that ended its socket with its last command is not ended a second time', async () => {
    const endedAgain: boolean[] = [];
    const end = Socket.prototype.end;
    const spy = vi.spyOn(Socket.prototype, 'end').mockImplementation(function (this: Socket, ...args: unknown[]) {
      endedAgain.push(this.writableEnded);
      return (end as (...a: unknown[]) => Socket).apply(this, args);
    });
    try {
      const port = await serve(async (session) => {
        await session.setVariableAndEnd('CALLGUARD_VERDICT', 'blocked');
      });
      const asterisk = await FakeAsterisk.session(port, { network_script: 'x' }, true);
      await asterisk.answer('200 result=1\n');
      asterisk.end();
      await asterisk.ended;
      await server?.close();
    } finally {
      spy.mockRestore();
    }
    // The session's own end (its last command) and the fake Asterisk's; neither on an ended socket.
    expect(endedAgain.length).toBeGreaterThanOrEqual(2);
    expect(endedAgain.filter((again) => again)).toEqual([]);
  });

  it('an unset variable reads as no value', async () => {
    let read: unknown;
    const port = await serve(async (session) => {
      read = await session.getVariable('NOPE');
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    await asterisk.answer('200 result=0\n');
    await asterisk.ended;
    expect(read).toEqual({ ok: true, value: undefined });
  });

  it('a channel that hung up (HANGUP, then 511) is GONE, not an error', async () => {
    let set: unknown;
    const port = await serve(async (session) => {
      set = await session.setVariable('A', 'b');
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    asterisk.write('HANGUP\n');
    await asterisk.answer('511 Command Not Permitted on a dead channel or intercept routine\n');
    await asterisk.ended;
    expect(set).toEqual(GONE);
  });

  it('a command Asterisk refuses (usage text) is an error naming the command', async () => {
    let failure: unknown;
    const port = await serve(async (session) => {
      failure = await session.command('SET VARIABLE').catch((error: unknown) => error);
    });
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    await asterisk.answer('520-Invalid command syntax.  Proper usage follows:\nUsage: SET VARIABLE <variablename> <value>\n520 End of proper usage.\n');
    await asterisk.ended;
    expect(String(failure)).toMatch(/AGI command SET VARIABLE refused: 520 End of proper usage/);
  });

  it('stop waits for the sessions in flight, and refuses new connections meanwhile', async () => {
    let release: () => void = () => undefined;
    const port = await serve(() => new Promise<void>((resolve) => (release = resolve)));
    const asterisk = await FakeAsterisk.session(port, { network_script: 'x' });
    await expect.poll(() => server?.sessionsInFlight).toBe(1);
    const closing = (server as AgiServer).close();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('error', () => resolve(true));
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
    });
    expect(refused).toBe(true);
    release();
    expect(await closing).toEqual({ unfinished: 0 });
    await asterisk.ended;
    server = undefined;
  });

  it('parses replies, scripts and quotes', () => {
    expect(parseAgiReply('200 result=1 (some value)')).toEqual({ code: 200, result: '1', data: 'some value' });
    expect(parseAgiReply('200 result=-1 endpos=0')).toEqual({ code: 200, result: '-1' });
    expect(parseAgiReply('HANGUP')).toBeUndefined();
    expect(parseAgiScript('/block-call/?list=vip%2Dx')).toEqual({ script: 'block-call', params: new Map([['list', 'vip-x']]) });
    expect(parseAgiScript('feature?code=30&code=31&bad=%zz')).toEqual({ script: 'feature', params: new Map([['code', '30'], ['bad', '%zz']]) });
    expect(quoteAgiArgument('line\nbreak')).toBe('"line break"');
  });
});
