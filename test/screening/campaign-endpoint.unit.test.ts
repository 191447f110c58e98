import { describe, expect, it } from 'vitest';
import { invalidEndpointReason, renderEndpoint } from '../../src/screening/endpoint-template.js';

describe('endpoint templates', () => {
  it.each([
    ['PJSIP/${NUMBER}@trunk', '+4930123456', 'PJSIP/+4930123456@trunk'],
    ['PJSIP/${E164}@trunk', '+4930123456', 'PJSIP/+4930123456@trunk'],
    ['PJSIP/${DIGITS}@trunk', '+4930123456', 'PJSIP/4930123456@trunk'],
    ['PJSIP/00${DIGITS}@trunk', '+4930123456', 'PJSIP/004930123456@trunk'],
    ['PJSIP/${NATIONAL}@trunk', '+4930123456', 'PJSIP/030123456@trunk'],
    ['PJSIP/${NATIONAL}@us', '+14155550100', 'PJSIP/4155550100@us'],
    ['Local/${NUMBER}@outbound-trunks', '+4930123456', 'Local/+4930123456@outbound-trunks'],
  ])('%s with %s dials %s', (template, e164, expected) => {
    expect(invalidEndpointReason(template)).toBeUndefined();
    expect(renderEndpoint(template, e164)).toBe(expected);
  });

  it.each([
    ['PJSIP/trunk', /has no \$\{NUMBER\}/],
    ['PJSIP/${number}@trunk', /unknown placeholder \$\{number\}/],
    ['PJSIP/${NUMBER', /unterminated|no \$\{NUMBER\}/],
    ['PJSIP/${NUMBER}@trunk ', /not a dial string/],
    ['${NUMBER}', /not a dial string/],
    [`PJSIP/${'x'.repeat(300)}\${NUMBER}`, /longer than/],
  ])('%s is refused', (template, reason) => {
    expect(invalidEndpointReason(template)).toMatch(reason);
  });
});
