import { describe, expect, it } from 'vitest';
import { mayUseFeatureCode, parseFeaturePermissions } from '../../src/screening/feature-permissions.js';

describe('feature code permissions (CALLGUARD_FEATURE_CODES)', () => {
  const permissions = parseFeaturePermissions('PJSIP/sup-*=30,31,32; pjsip/1001=*32\nPJSIP/1002');

  it.each([
    ['PJSIP/sup-anna', '31', true],
    ['PJSIP/sup-', '30', true],
    ['PJSIP/supervisor', '30', false],
    ['PJSIP/1001', '32', true],
    ['PJSIP/1001', '30', false],
    ['PJSIP/1002', '31', true],
    ['PJSIP/10021', '31', false],
    ['SIP/1002', '31', false],
    ['', '30', false],
  ] as const)('%s may use *%s: %s', (endpoint, code, allowed) => {
    expect(mayUseFeatureCode(permissions, endpoint, code)).toBe(allowed);
  });

  it('nobody may when nothing is configured', () => {
    expect(mayUseFeatureCode(parseFeaturePermissions(''), 'PJSIP/1001', '30')).toBe(false);
  });

  it.each([
    ['1001', /not <technology>\/<endpoint>/],
    ['PJSIP/1001=33', /"33" is not one of the codes 30, 31, 32/],
    ['PJSIP/10*1', /not <technology>\/<endpoint>/],
    ['PJSIP/1001=30=31', /not <technology>\/<endpoint>/],
  ])('%s is refused with a message naming it', (text, message) => {
    expect(() => parseFeaturePermissions(text)).toThrow(message);
  });
});
