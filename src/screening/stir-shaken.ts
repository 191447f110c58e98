/**
 * STIR/SHAKEN as a signal for inbound routes. The terminating carrier verifies the
 * caller's Identity and reports the result in a `verstat` parameter of P-Asserted-Identity
 * or From (ATIS-1000074: `TN-Validation-Passed`, `TN-Validation-Failed`, `No-TN-Validation`,
 * often with the attestation level appended: `TN-Validation-Passed-A`); a PBX that
 * verifies itself (res_stir_shaken) gives the result through STIR_SHAKEN().
 */

export const VERIFICATIONS = ['passed', 'failed', 'not-verified'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

/** A full, B partial, C gateway: how much the originating carrier vouches for the number. */
export const ATTESTATIONS = ['A', 'B', 'C'] as const;
export type Attestation = (typeof ATTESTATIONS)[number];

export interface CallerIdentity {
  verification: Verification;
  attestation?: Attestation;
  /** what was reported, as reported (`TN-Validation-Failed`), for the reason a call was refused */
  reported: string;
}

const VERSTAT_PARAMETER = /[;?&]verstat=([A-Za-z0-9-]{1,64})/i;
const VERSTAT_VALUE = /^(tn-validation-passed|tn-validation-failed|no-tn-validation)(?:-([abc]))?$/i;

/** The verstat parameter of a header value (`<sip:+1...@host;verstat=TN-Validation-Passed-A>`), if any. */
export function verstatOf(header: string): string | undefined {
  return VERSTAT_PARAMETER.exec(header)?.[1];
}

/** A verstat value read; undefined for one that is none of ATIS-1000074's. */
export function identityFromVerstat(verstat: string): CallerIdentity | undefined {
  const match = VERSTAT_VALUE.exec(verstat.trim());
  if (!match) return undefined;
  const kind = (match[1] as string).toLowerCase();
  const verification: Verification = kind === 'tn-validation-passed' ? 'passed' : kind === 'tn-validation-failed' ? 'failed' : 'not-verified';
  const level = match[2]?.toUpperCase() as Attestation | undefined;
  return { verification, ...(level === undefined ? {} : { attestation: level }), reported: verstat.trim() };
}

/**
 * STIR_SHAKEN(0,verify_result) and STIR_SHAKEN(0,attestation), as Asterisk's res_stir_shaken
 * gives them: a result naming success passes, one saying there was nothing to verify is
 * not verified, any other result (a bad signature, a certificate it could not fetch...) failed.
 */
export function identityFromStirShaken(verifyResult: string, attestation: string): CallerIdentity | undefined {
  const result = verifyResult.trim();
  if (result === '') return undefined;
  const level = attestation.trim().toUpperCase();
  const verification: Verification = /pass|success/i.test(result)
    ? 'passed'
    : /not[ _-]?present|no[ _-]?identity|disabled/i.test(result)
      ? 'not-verified'
      : 'failed';
  return { verification, ...((ATTESTATIONS as readonly string[]).includes(level) ? { attestation: level as Attestation } : {}), reported: result };
}

/** What the dialplan hands over (docs/compliance.md): the raw headers and, when the PBX verifies, STIR_SHAKEN()'s values. */
export interface IdentitySources {
  pAssertedIdentity?: string;
  from?: string;
  stirShakenResult?: string;
  stirShakenAttestation?: string;
}

/** The caller's verification: the PBX's own first, then verstat on P-Asserted-Identity, then on From; undefined when none says anything. */
export function callerIdentity(sources: IdentitySources): CallerIdentity | undefined {
  const own = sources.stirShakenResult === undefined ? undefined : identityFromStirShaken(sources.stirShakenResult, sources.stirShakenAttestation ?? '');
  if (own) return own;
  for (const header of [sources.pAssertedIdentity, sources.from]) {
    const verstat = header === undefined ? undefined : verstatOf(header);
    const identity = verstat === undefined ? undefined : identityFromVerstat(verstat);
    if (identity) return identity;
  }
  return undefined;
}

/**
 * Why the route's rule takes the caller for unverified, or undefined when it does not. A
 * call with nothing reported is never unverified (a trunk that sends no verstat would
 * otherwise turn every caller away); a failed verification always is; with a minimum
 * attestation, so is a caller verified below it, without a level, or not verified at all.
 */
export function unverifiedReason(rule: { minAttestation?: Attestation }, identity: CallerIdentity | undefined): string | undefined {
  if (identity === undefined) return undefined;
  if (identity.verification === 'failed') return `caller id verification failed (${identity.reported})`;
  const minimum = rule.minAttestation;
  if (minimum === undefined) return undefined;
  if (identity.verification === 'not-verified') return `caller id not verified (${identity.reported}); the route wants attestation ${minimum}`;
  if (identity.attestation === undefined) return `caller id verified without an attestation level (${identity.reported}); the route wants ${minimum}`;
  if (ATTESTATIONS.indexOf(identity.attestation) > ATTESTATIONS.indexOf(minimum)) {
    return `caller id attestation ${identity.attestation}, below the route's ${minimum} (${identity.reported})`;
  }
  return undefined;
}

/** Stasis() and AGI() arguments are comma-separated, so the dialplan passes header values URI-encoded; a bad escape leaves the text as it came. */
export function decodedArgument(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: the raw text still carries a verstat a plain search can find.
    return text;
  }
}

/**
 * The caller id's STIR/SHAKEN sources as the dialplan passes them, after the route (and
 * the presentation): `<P-Asserted-Identity>,<From>[,<verify_result>,<attestation>]`, the
 * headers URI-encoded (a comma would split them); undefined when none was passed. The
 * Stasis() and the FastAGI screen arguments both come this way.
 */
export function identitySources(...args: (string | undefined)[]): IdentitySources | undefined {
  const [pAssertedIdentity, from, stirShakenResult, stirShakenAttestation] = args.map(decodedArgument);
  if ([pAssertedIdentity, from, stirShakenResult].every((value) => value === undefined)) return undefined;
  return {
    ...(pAssertedIdentity === undefined ? {} : { pAssertedIdentity }),
    ...(from === undefined ? {} : { from }),
    ...(stirShakenResult === undefined ? {} : { stirShakenResult }),
    ...(stirShakenAttestation === undefined ? {} : { stirShakenAttestation }),
  };
}
