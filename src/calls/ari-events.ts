/**
 * The websocket events callguard acts on, reduced to the fields it reads. ARI events
 * are untrusted input: they are parsed field by field here, never passed on whole
 * (and never spread into log lines).
 */

export interface StasisStart {
  channelId: string;
  /** `caller.number` exactly as Asterisk sent it ("030 1234567", "anonymous", "") */
  callerNumber: string;
  /** the Stasis() arguments after the app name: ["inbound", "<route>"] */
  args: string[];
  /** `dialplan.exten`: the number an agent dialled, for outbound calls ("" when absent) */
  exten?: string;
  /** `channel.name`, `PJSIP/agent-1-0000001a`: the endpoint it belongs to ("" when absent) */
  channelName?: string;
  /**
   * CALLERID(pres) when Asterisk puts it in every channel's events (ari.conf
   * `channelvars = CALLERID(pres)`, as the shipped one does); absent otherwise.
   */
  presentation?: string;
}

/** ChannelDtmfReceived: a key pressed on a channel of ours (RFC 2833 or SIP INFO, as Asterisk got it). */
export interface ChannelDtmf {
  channelId: string;
  digit: string;
  /**
   * The event's time as Asterisk wrote it: a channel followed by two of our apps reports
   * each key once per app, with the same timestamp, so a listener can drop the copy.
   */
  timestamp: string;
}

/** A channel ended: ChannelDestroyed, with its Q.850 cause (0 when Asterisk knows none). */
export interface ChannelEnded {
  channelId: string;
  cause: number;
}

/** ChannelUserevent: a user event another instance sent through Asterisk (see peers.ts). */
export interface UserEvent {
  name: string;
  /** the event's variables that are strings */
  fields: Record<string, string>;
}

/** A channel as GET /channels/{id} shows it, reduced to what adoption reads. */
export interface ChannelSnapshot {
  channelId: string;
  callerNumber: string;
  exten: string;
  /** the dialplan application it is in now (`Stasis` while in an app) and its argument text */
  appName: string;
  appData: string;
}

export type AriEventMap = {
  stasisStart: [event: StasisStart];
  stasisEnd: [channelId: string];
  playbackFinished: [playbackId: string];
  channelDestroyed: [event: ChannelEnded];
  channelDtmf: [event: ChannelDtmf];
};

/** The events a playback waits for: its PlaybackFinished, or its channel leaving Stasis. */
export interface PlaybackEvents {
  on(event: 'playbackFinished' | 'stasisEnd', listener: (id: string) => void): unknown;
  off(event: 'playbackFinished' | 'stasisEnd', listener: (id: string) => void): unknown;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The ari.conf `channelvars` entry that carries the caller's presentation in channel events. */
export const PRESENTATION_CHANNELVAR = 'CALLERID(pres)';

export function parseStasisStart(raw: unknown): StasisStart | undefined {
  const event = record(raw);
  const channel = record(event?.channel);
  const channelId = text(channel?.id);
  if (!event || !channel || !channelId) return undefined;
  const args = Array.isArray(event.args) ? event.args.filter((arg): arg is string => typeof arg === 'string') : [];
  const presentation = text(record(channel.channelvars)?.[PRESENTATION_CHANNELVAR]);
  return {
    channelId,
    callerNumber: text(record(channel.caller)?.number) ?? '',
    args,
    exten: text(record(channel.dialplan)?.exten) ?? '',
    channelName: text(channel.name) ?? '',
    ...(presentation ? { presentation } : {}),
  };
}

export function parseChannelDtmf(raw: unknown): ChannelDtmf | undefined {
  const channelId = channelIdOf(raw);
  const digit = text(record(raw)?.digit);
  if (channelId === undefined || digit === undefined || !/^[0-9*#A-D]$/.test(digit)) return undefined;
  return { channelId, digit, timestamp: text(record(raw)?.timestamp) ?? '' };
}

/** ChannelDestroyed: the channel and the event's `cause`. */
export function parseChannelEnded(raw: unknown): ChannelEnded | undefined {
  const channelId = channelIdOf(raw);
  if (channelId === undefined) return undefined;
  const cause = record(raw)?.cause;
  return { channelId, cause: typeof cause === 'number' && Number.isInteger(cause) ? cause : 0 };
}

export function channelIdOf(raw: unknown): string | undefined {
  return text(record(record(raw)?.channel)?.id);
}

export function playbackIdOf(raw: unknown): string | undefined {
  return text(record(record(raw)?.playback)?.id);
}

export function parseUserEvent(raw: unknown): UserEvent | undefined {
  const event = record(raw);
  const name = text(event?.eventname);
  if (!event || name === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(event.userevent) ?? {})) {
    if (typeof value === 'string') fields[key] = value;
  }
  return { name, fields };
}

export function parseChannelSnapshot(raw: unknown): ChannelSnapshot | undefined {
  const channel = record(raw);
  const channelId = text(channel?.id);
  if (!channel || channelId === undefined) return undefined;
  const dialplan = record(channel.dialplan);
  return {
    channelId,
    callerNumber: text(record(channel.caller)?.number) ?? '',
    exten: text(dialplan?.exten) ?? '',
    appName: text(dialplan?.app_name) ?? '',
    appData: text(dialplan?.app_data) ?? '',
  };
}

/**
 * The StasisStart a channel in `app` would have sent, rebuilt from its snapshot: Asterisk
 * shows a channel in Stasis as application `Stasis` with data `<app>,<arg>,<arg>...`,
 * exactly the text the arguments of its StasisStart came from. Undefined when the
 * channel is not in that app (it left, or is in another app).
 */
export function stasisStartOf(snapshot: ChannelSnapshot, app: string): StasisStart | undefined {
  if (snapshot.appName !== 'Stasis') return undefined;
  const [inApp, ...args] = snapshot.appData.split(',');
  if (inApp !== app) return undefined;
  return { channelId: snapshot.channelId, callerNumber: snapshot.callerNumber, args, exten: snapshot.exten };
}

/** ApplicationReplaced: the app another websocket registered after this one. */
export function applicationOf(raw: unknown): string | undefined {
  return text(record(raw)?.application);
}
