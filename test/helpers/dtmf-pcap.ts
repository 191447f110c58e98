/**
 * RFC 4733 (RFC 2833) DTMF as a pcap file that sipp's play_pcap_audio sends as RTP:
 * the digits of a test, made by the test. Payload type 101 (`telephone-event/8000`, the
 * SDP of the sipp scenarios that press keys); each digit 100 ms long, 150 ms apart, with
 * sequence numbers and timestamps that go on from digit to digit as a phone's would.
 */
const PAYLOAD_TYPE = 101;
const PACKET_MS = 20;
const DIGIT_MS = 100;
const GAP_MS = 150;
const SAMPLES_PER_MS = 8;
const END_REPEATS = 3;
const VOLUME = 10;
const SSRC = 0x5ca11ed;

const EVENTS: Readonly<Record<string, number>> = { '*': 10, '#': 11, A: 12, B: 13, C: 14, D: 15 };

function eventCode(digit: string): number {
  if (/^[0-9]$/.test(digit)) return Number(digit);
  const code = EVENTS[digit.toUpperCase()];
  if (code === undefined) throw new Error(`"${digit}" is not a DTMF digit`);
  return code;
}

/** One captured frame: Ethernet, IPv4, UDP (loopback addresses; sipp sends the payload to the call's media port). */
function frame(rtp: Buffer): Buffer {
  const udpLength = 8 + rtp.length;
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + udpLength, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  ip.writeUInt32BE(0x7f000001, 12);
  ip.writeUInt32BE(0x7f000001, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(40000, 0);
  udp.writeUInt16BE(40002, 2);
  udp.writeUInt16BE(udpLength, 4);
  const ethernet = Buffer.from([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]);
  return Buffer.concat([ethernet, ip, udp, rtp]);
}

export function dtmfPcap(digits: string): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65_535, 16);
  header.writeUInt32LE(1, 20);
  const records: Buffer[] = [header];
  let sequence = 1;
  let atMs = 0;
  const packet = (timestamp: number, marker: boolean, event: number, end: boolean, duration: number, sentMs: number): void => {
    const rtp = Buffer.alloc(16);
    rtp.writeUInt8(0x80, 0);
    rtp.writeUInt8((marker ? 0x80 : 0) | PAYLOAD_TYPE, 1);
    rtp.writeUInt16BE(sequence++ & 0xffff, 2);
    rtp.writeUInt32BE(timestamp, 4);
    rtp.writeUInt32BE(SSRC, 8);
    rtp.writeUInt8(event, 12);
    rtp.writeUInt8((end ? 0x80 : 0) | VOLUME, 13);
    rtp.writeUInt16BE(duration, 14);
    const data = frame(rtp);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(sentMs / 1000), 0);
    record.writeUInt32LE((sentMs % 1000) * 1000, 4);
    record.writeUInt32LE(data.length, 8);
    record.writeUInt32LE(data.length, 12);
    records.push(record, data);
  };
  for (const digit of digits) {
    const event = eventCode(digit);
    const timestamp = atMs * SAMPLES_PER_MS;
    for (let ms = PACKET_MS; ms <= DIGIT_MS; ms += PACKET_MS) {
      packet(timestamp, ms === PACKET_MS, event, false, ms * SAMPLES_PER_MS, atMs + ms - PACKET_MS);
    }
    for (let repeat = 0; repeat < END_REPEATS; repeat++) {
      packet(timestamp, false, event, true, DIGIT_MS * SAMPLES_PER_MS, atMs + DIGIT_MS + repeat * PACKET_MS);
    }
    atMs += DIGIT_MS + GAP_MS;
  }
  return Buffer.concat(records);
}
