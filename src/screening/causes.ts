/**
 * The Q.850 release causes callguard hangs up with or reads from Asterisk, defined once:
 * routes, campaigns, the call side and the dialer all name a cause from here. In brackets
 * the SIP response Asterisk (chan_pjsip) typically sends for it.
 */
export const CAUSES = {
  /** 1 (404 Not Found) */
  unallocated: 1,
  /** 16: the end of a call that was answered; no specific response */
  normalClearing: 16,
  /** 17 (486 Busy Here) */
  userBusy: 17,
  /** 18: the far end did not respond at all */
  noUserResponse: 18,
  /** 19 (480 Temporarily Unavailable): what Asterisk reports at an originate timeout */
  noAnswer: 19,
  /** 21 (403 Forbidden): a rejected call, callguard's refusal unless told otherwise */
  callRejected: 21,
  /** 28 (484 Address Incomplete): a number that is hidden or malformed cannot be dialled */
  invalidNumberFormat: 28,
  /** 34 (503 Service Unavailable): no circuit available; the caller may try again */
  noCircuitAvailable: 34,
} as const;

/** Q.850 causes by the names operators type them (`hangup:busy`); docs/routes.md lists them. */
export const NAMED_CAUSES: Readonly<Record<string, number>> = {
  unallocated: CAUSES.unallocated,
  normal: CAUSES.normalClearing,
  busy: CAUSES.userBusy,
  noanswer: CAUSES.noAnswer,
  rejected: CAUSES.callRejected,
  congestion: CAUSES.noCircuitAvailable,
};

/** Q.850's range of cause codes. */
export const MIN_CAUSE = 1;
export const MAX_CAUSE = 127;
