import { describe, expect, it } from 'vitest';
import { finalInviteStatus, uasCalls } from './sipp.js';

/** One entry of sipp's -trace_msg log, as sipp 3.6 writes it. */
function entry(direction: 'sent' | 'received', firstLine: string, cseq: string): string {
  const header =
    direction === 'sent' ? 'UDP message sent (300 bytes):' : 'UDP message received [300] bytes :';
  return [
    '----------------------------------------------- 2026-11-22 15:20:34.549312',
    header,
    '',
    firstLine,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1',
    `CSeq: ${cseq}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

describe('finalInviteStatus', () => {
  it('takes the final response to the INVITE, not the provisional ones', () => {
    const log = [
      entry('sent', 'INVITE sip:+4930555000@127.0.0.1:5060 SIP/2.0', '1 INVITE'),
      entry('received', 'SIP/2.0 100 Trying', '1 INVITE'),
      entry('received', 'SIP/2.0 486 Busy here', '1 INVITE'),
      entry('sent', 'ACK sip:+4930555000@127.0.0.1:5060 SIP/2.0', '1 ACK'),
    ].join('');
    expect(finalInviteStatus(log)).toBe(486);
  });

  it('ignores the 200 to our BYE after an early-media rejection', () => {
    const log = [
      entry('received', 'SIP/2.0 183 Session Progress', '1 INVITE'),
      entry('received', 'SIP/2.0 403 Forbidden', '1 INVITE'),
      entry('received', 'SIP/2.0 200 OK', '2 BYE'),
    ].join('');
    expect(finalInviteStatus(log)).toBe(403);
  });

  it('reads a request we received as no response', () => {
    const log = [
      entry('received', 'SIP/2.0 200 OK', '1 INVITE'),
      entry('received', 'BYE sip:sipp@127.0.0.1:5070 SIP/2.0', '1 BYE'),
    ].join('');
    expect(finalInviteStatus(log)).toBe(200);
  });

  it('is undefined when no final response arrived', () => {
    expect(finalInviteStatus(entry('received', 'SIP/2.0 180 Ringing', '1 INVITE'))).toBeUndefined();
  });
});

describe('uasCalls', () => {
  const message = (time: string, firstLine: string, callId: string): string =>
    [`----------------------------------------------- 2026-11-22 ${time}`, 'UDP message received [300] bytes :', '', firstLine, `Call-ID: ${callId}`, 'Content-Length: 0', '', ''].join('\n');

  it('a call runs from its first INVITE to the first BYE or CANCEL received, per Call-ID', () => {
    const log = [
      message('15:20:34.549312', 'INVITE sip:+4930500@127.0.0.1:5070 SIP/2.0', 'a'),
      message('15:20:34.600000', 'INVITE sip:+4930500@127.0.0.1:5070 SIP/2.0', 'a'),
      message('15:20:35.000000', 'INVITE sip:+4930501@127.0.0.1:5070 SIP/2.0', 'b'),
      message('15:20:35.549312', 'BYE sip:127.0.0.1:5070;transport=UDP SIP/2.0', 'a'),
      message('15:20:36.000000', 'CANCEL sip:+4930501@127.0.0.1:5070 SIP/2.0', 'b'),
    ].join('');
    const calls = uasCalls(log);
    expect(calls.map((call) => [call.callId, call.user])).toEqual([['a', '+4930500'], ['b', '+4930501']]);
    expect((calls[0]?.endedAt ?? 0) - (calls[0]?.invitedAt ?? 0)).toBe(1_000);
    expect((calls[1]?.endedAt ?? 0) - (calls[1]?.invitedAt ?? 0)).toBe(1_000);
  });

  it("an INVITE's From user is the caller id presented", () => {
    const invite = message('15:20:34.549312', 'INVITE sip:+4930500@127.0.0.1:5070 SIP/2.0', 'a').replace(
      'Call-ID: a',
      'From: "Sales" <sip:+4930900001@127.0.0.1>;tag=as1\nCall-ID: a',
    );
    expect(uasCalls(invite)[0]?.from).toBe('+4930900001');
  });

  it('a call still up has no end', () => {
    const [call] = uasCalls(message('15:20:34.549312', 'INVITE sip:+4930500@127.0.0.1:5070 SIP/2.0', 'a'));
    expect(call?.endedAt).toBeUndefined();
  });
});
