// The deny=REGION fault: parsed into a list, validated, documented.
import { describe, expect, it } from 'vitest';
import { FAULT_HELP, noFaults, parseFaults } from '../../../src/sandbox/faults';

describe('deny=REGION', () => {
  it('collects every denied region', () => {
    expect(parseFaults('deny=eu-west-1')).toEqual({ ...noFaults(), deny: ['eu-west-1'] });
    expect(parseFaults('throttle=0.1,deny=eu-west-1,deny=us-west-2').deny).toEqual(['eu-west-1', 'us-west-2']);
    expect(parseFaults('throttle=0.1').deny).toBeUndefined();
  });

  it('rejects what is not a region', () => {
    expect(() => parseFaults('deny=europe')).toThrow(/expected a region name/);
    expect(() => parseFaults('deny=')).toThrow(/expected a region name/);
  });

  it('is documented', () => {
    expect(FAULT_HELP).toMatch(/^ {2}deny=REGION /m);
    expect(FAULT_HELP).toMatch(/AccessDeniedException/);
  });
});
