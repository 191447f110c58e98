import { channel } from 'node:diagnostics_channel';

/**
 * Where a call's time goes inside serve, for a profile (bench:peer's `--trace`): named
 * diagnostics channels a profiler subscribes to, next to the ones undici publishes for
 * each request (undici:client:sendHeaders, undici:request:headers). Nothing is measured
 * or published while nobody subscribes, so a call pays one property read for each.
 * Timestamps are performance.now().
 */

/** An ARI event frame: when the websocket handed it over, when it was parsed, its size, the event. */
export interface AriFrameTrace {
  receivedAt: number;
  parsedAt: number;
  bytes: number;
  event: Record<string, unknown>;
}

/** An inbound call decided: from the handler's start to the decision (route, check, decide). */
export interface DecisionTrace {
  channelId: string;
  startedAt: number;
  decidedAt: number;
}

/**
 * One FastAGI session, from the connection Asterisk opened to its close: when the
 * environment was read, the first command written and the last reply read (none for a
 * session that sent no command). The decision's own span comes on DECISION_TRACE, keyed
 * by the same channel id (agi_uniqueid).
 */
export interface AgiSessionTrace {
  channelId: string;
  script: string;
  acceptedAt: number;
  environmentAt?: number;
  commandWrittenAt?: number;
  replyAt?: number;
  closedAt: number;
}

export const AGI_SESSION_TRACE = channel('callguard:agi:session');
export const ARI_FRAME_TRACE = channel('callguard:ari:frame');
export const DECISION_TRACE = channel('callguard:call:decided');
