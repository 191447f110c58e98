import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_SETUP_TIMEOUT_MS, e2eAvailability, useAsterisk, type E2eAsterisk } from '../helpers/asterisk.js';
import { placeCall, startSippUas } from '../helpers/sipp.js';
import { connectTestAri, type AriEvent, type TestAriClient } from './ari-test-client.js';

const availability = await e2eAvailability();
const DIALLED = '+4930555000';

function stasisStartFrom(number: string): (event: AriEvent) => boolean {
  return (event) => event.type === 'StasisStart' && event.channel?.caller.number === number;
}

describe.skipIf(!availability.run)('the shipped asterisk-config with a real Asterisk', () => {
  let asterisk: E2eAsterisk;
  let app: TestAriClient | undefined;

  beforeAll(async () => {
    asterisk = await useAsterisk();
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    app?.close();
    await asterisk?.stop();
  });

  async function callguardApp(): Promise<TestAriClient> {
    app ??= await connectTestAri(asterisk, 'callguard');
    return app;
  }

  it('a SIP call into the inbound context reaches StasisStart with the From number as the caller', async () => {
    const client = await callguardApp();
    const call = placeCall({
      from: '+493012345678',
      displayName: 'Erika Mustermann',
      route: 'smoke',
      to: DIALLED,
      target: asterisk.sipTarget,
    });
    const start = await client.waitFor(stasisStartFrom('+493012345678'));
    // The route and the presentation, nothing more: callguard reads the identity headers
    // itself, and only for routes with a STIR/SHAKEN rule (docs/compliance.md).
    expect(start.args).toEqual(['inbound', 'smoke', 'allowed_not_screened']);
    expect(start.channel?.caller).toEqual({ name: 'Erika Mustermann', number: '+493012345678' });
    expect(start.channel?.dialplan?.exten).toBe(DIALLED);
    await client.hangup(start.channel?.id ?? '', 21);
    expect(await call).toEqual({ status: 403, answered: false });
  });

  it('an anonymous From arrives as caller number "anonymous"', async () => {
    const client = await callguardApp();
    const call = placeCall({
      from: 'anonymous',
      displayName: 'Anonymous',
      fromHost: 'anonymous.invalid',
      to: DIALLED,
      target: asterisk.sipTarget,
    });
    const start = await client.waitFor(stasisStartFrom('anonymous'));
    expect(start.args).toEqual(['inbound', 'default', 'allowed_not_screened']);
    expect(start.channel?.caller).toEqual({ name: 'Anonymous', number: 'anonymous' });
    await client.hangup(start.channel?.id ?? '');
    expect((await call).answered).toBe(false);
  });

  it('Privacy: id with P-Asserted-Identity shows the asserted number, presentation prohibited', async () => {
    const client = await callguardApp();
    const call = placeCall({
      from: 'anonymous',
      displayName: 'Anonymous',
      fromHost: 'anonymous.invalid',
      privacyId: true,
      pAssertedIdentity: '+493087654321',
      to: DIALLED,
      target: asterisk.sipTarget,
    });
    const start = await client.waitFor(stasisStartFrom('+493087654321'));
    const channelId = start.channel?.id ?? '';
    expect(await client.getVariable(channelId, 'CALLERID(pres)')).toMatch(/^prohib/);
    expect(start.args?.[2]).toMatch(/^prohib/);
    await client.hangup(channelId, 21);
    expect((await call).status).toBe(403);
  });

  it('an outbound call callguard clears is dialled to the far end, which answers', async () => {
    const client = await callguardApp();
    const farEnd = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    try {
      const call = placeCall({ from: '2001', campaign: 'smoke', to: '+14155550100', target: asterisk.sipTarget });
      const start = await client.waitFor((event) => event.type === 'StasisStart' && event.channel?.dialplan?.exten === '+14155550100');
      expect(start.args).toEqual(['outbound', 'smoke']);
      await client.continueTo(start.channel?.id ?? '', 'outbound-dial', '+14155550100');
      expect(await call).toEqual({ status: 200, answered: true });
    } finally {
      await farEnd.stop();
    }
  });

  it('a busy far end gives the agent 486', async () => {
    const client = await callguardApp();
    const farEnd = await startSippUas({ behaviour: 'busy', port: asterisk.farEndPort });
    try {
      const call = placeCall({ from: '2002', campaign: 'smoke', to: '+14155550101', target: asterisk.sipTarget });
      const start = await client.waitFor(
        (event) => event.type === 'StasisStart' && event.channel?.dialplan?.exten === '+14155550101',
      );
      await client.continueTo(start.channel?.id ?? '', 'outbound-dial', '+14155550101');
      expect((await call).status).toBe(486);
    } finally {
      await farEnd.stop();
    }
  });
});

describe.skipIf(!availability.run)('the dialplan fallback when callguard is not connected', () => {
  let asterisk: E2eAsterisk;
  let observer: TestAriClient;

  beforeAll(async () => {
    asterisk = await useAsterisk();
    // Not the Stasis app: an observer of every channel, so Stasis(callguard) finds no app.
    observer = await connectTestAri(asterisk, 'e2e-observer', { subscribeAll: true });
  }, E2E_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    observer?.close();
    await asterisk?.stop();
  });

  it('an inbound call still reaches the support queue', async () => {
    const call = placeCall({ from: '+493011112222', to: DIALLED, target: asterisk.sipTarget });
    const queued = await observer.waitFor(
      (event) =>
        event.type === 'ChannelDialplan' &&
        event.channel?.caller.number === '+493011112222' &&
        event.dialplan_app === 'Queue',
    );
    expect(queued.dialplan_app_data).toMatch(/^support,/);
    expect(await call).toEqual({ status: 200, answered: true });
  });

  it('an agent\'s outbound call is not dialled (fails closed) and gets 503', async () => {
    const farEnd = await startSippUas({ behaviour: 'answer', port: asterisk.farEndPort });
    try {
      expect(await placeCall({ from: '2003', campaign: 'smoke', to: '+14155550102', target: asterisk.sipTarget })).toEqual({
        status: 503,
        answered: false,
      });
    } finally {
      await farEnd.stop();
    }
  });
});
