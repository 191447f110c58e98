import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerIdentity, decodedArgument, identityFromStirShaken, identityFromVerstat, unverifiedReason, verstatOf } from '../../src/screening/stir-shaken.js';

const HANGUP = { type: 'hangup', cause: 21 } as const;

describe('verstat as carriers send it', () => {
  it.each([
    ['<sip:+12125550100@carrier.example;user=phone;verstat=TN-Validation-Passed-A>', 'TN-Validation-Passed-A'],
    ['"Anna" <sip:+12125550100@carrier.example;verstat=TN-Validation-Failed>;tag=abc', 'TN-Validation-Failed'],
    ['<tel:+12125550100;verstat=No-TN-Validation>', 'No-TN-Validation'],
    ['<sip:+12125550100@carrier.example>', undefined],
  ])('%s', (header, verstat) => {
    expect(verstatOf(header)).toBe(verstat);
  });

  it.each([
    ['TN-Validation-Passed-A', { verification: 'passed', attestation: 'A' }],
    ['tn-validation-passed-c', { verification: 'passed', attestation: 'C' }],
    ['TN-Validation-Passed', { verification: 'passed' }],
    ['TN-Validation-Failed', { verification: 'failed' }],
    ['No-TN-Validation', { verification: 'not-verified' }],
  ])('%s reads as %j', (verstat, identity) => {
    const read = identityFromVerstat(verstat);
    expect(read).toMatchObject(identity);
    if (!('attestation' in identity)) expect(read?.attestation).toBeUndefined();
  });

  it('a value that is none of the standard ones says nothing', () => {
    expect(identityFromVerstat('Whatever-Validation')).toBeUndefined();
  });

  it("Asterisk's own result: success passes, nothing to verify is not verified, any other result failed", () => {
    expect(identityFromStirShaken('success', 'B')).toMatchObject({ verification: 'passed', attestation: 'B' });
    expect(identityFromStirShaken('Verification passed', 'A')).toMatchObject({ verification: 'passed' });
    expect(identityFromStirShaken('no_identity_hdr', '')).toMatchObject({ verification: 'not-verified' });
    expect(identityFromStirShaken('invalid_x5u', 'A')).toMatchObject({ verification: 'failed' });
    expect(identityFromStirShaken('', '')).toBeUndefined();
  });

  it('P-Asserted-Identity is read before From', () => {
    expect(callerIdentity({ pAssertedIdentity: '<sip:1@x;verstat=TN-Validation-Passed-A>', from: '<sip:1@x;verstat=TN-Validation-Failed>' })).toMatchObject({ verification: 'passed' });
  });

  it('any text the dialplan passes decodes without throwing, and a verstat in it is found', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('TN-Validation-Failed', 'TN-Validation-Passed-B'), (noise, verstat) => {
        const header = `<sip:+1@h;verstat=${verstat}>${noise}`;
        expect(callerIdentity({ pAssertedIdentity: decodedArgument(encodeURIComponent(header)) ?? '' })?.reported).toBe(verstat);
        decodedArgument(noise);
      }),
    );
  });
});

describe('the route rule', () => {
  const failed = identityFromVerstat('TN-Validation-Failed');
  const passedC = identityFromVerstat('TN-Validation-Passed-C');
  const passed = identityFromVerstat('TN-Validation-Passed');
  const none = identityFromVerstat('No-TN-Validation');

  it('a failed verification is unverified; nothing reported never is', () => {
    expect(unverifiedReason({}, failed)).toMatch(/failed/);
    expect(unverifiedReason({}, passedC)).toBeUndefined();
    expect(unverifiedReason({ minAttestation: 'A' }, undefined)).toBeUndefined();
  });

  it('a minimum attestation also takes a lower level, no level, and no verification', () => {
    const rule = { onUnverified: HANGUP, minAttestation: 'B' } as const;
    expect(unverifiedReason(rule, passedC)).toMatch(/attestation C, below the route's B/);
    expect(unverifiedReason(rule, passed)).toMatch(/without an attestation level/);
    expect(unverifiedReason(rule, none)).toMatch(/not verified/);
    expect(unverifiedReason(rule, identityFromVerstat('TN-Validation-Passed-B'))).toBeUndefined();
  });
});
