import { describe, expect, it } from 'vitest';
import { editSection, removeSection, scanIni } from '../../../src/main/aws/ini';

describe('scanIni', () => {
  it('follows the SDK grammar: sections, comments, sub-sections', () => {
    const scan = scanIni('[default]\nregion = us-east-1 # c\n\n[profile a]\ns3 =\n  max_concurrent_requests = 10\n[sso-session s]\nsso_region = eu-west-1\n[services x]\nssm =\n  endpoint_url = http://h\n', 'config');
    expect(scan.sections.map((s) => [s.type, s.name, s.errors])).toEqual([
      ['profile', 'default', []],
      ['profile', 'a', []],
      ['sso-session', 's', []],
      ['services', 'x', []],
    ]);
    expect(scan.fileErrors).toEqual([]);
  });

  it('flags what the SDK would silently drop or misread', () => {
    const scan = scanIni('stray = 1\n[profile a]\n= nokey\nbare\n[b]\n[profile c\nregion = x\n', 'config');
    expect(scan.fileErrors).toEqual(['Line 1: text outside any [section] is ignored.']);
    const [a, b, c] = scan.sections;
    expect(a.errors).toEqual(['Line 3: a value without a key.', 'Line 4: expected "key = value" but found "bare".']);
    expect(b).toMatchObject({ type: 'ignored', name: 'b' });
    expect(c).toMatchObject({ type: 'ignored', name: 'c' });
    expect(c.errors[0]).toMatch(/missing its closing/);
  });

  it('knows the credentials file uses bare names', () => {
    const scan = scanIni('[a]\nx = 1\n[profile b]\ny = 2\n', 'credentials');
    expect(scan.sections.map((s) => [s.type, s.name])).toEqual([
      ['profile', 'a'],
      ['ignored', 'b'],
    ]);
  });
});

describe('editSection', () => {
  const text = '; head\r\n[profile a]\r\nregion = us-east-1 ; why\r\ns3 =\r\n  region = nested\r\nregion = dup\r\ncustom = keep\r\n\r\n[profile b]\r\nregion = eu-west-1\r\n';

  it('changes in place, drops duplicates, leaves nested keys, keeps CRLF', () => {
    const out = editSection(scanIni(text, 'config'), 'profile', 'a', { region: 'ap-south-1', role_arn: null, output: 'json' });
    expect(out).toBe('; head\r\n[profile a]\r\nregion = ap-south-1 ; why\r\ns3 =\r\n  region = nested\r\ncustom = keep\r\noutput = json\r\n\r\n[profile b]\r\nregion = eu-west-1\r\n');
  });

  it('appends a missing section, with the right header per file', () => {
    expect(editSection(scanIni('[profile a]\nx = 1\n', 'config'), 'profile', 'default', { region: 'us-east-1' })).toBe('[profile a]\nx = 1\n\n[default]\nregion = us-east-1\n');
    expect(editSection(scanIni('', 'credentials'), 'profile', 'k', { aws_access_key_id: 'A' })).toBe('[k]\naws_access_key_id = A\n');
    expect(editSection(scanIni('[profile a]\n', 'config'), 'profile', 'n', { region: 'us-east-1' })).toBe('[profile a]\n\n[profile n]\nregion = us-east-1\n');
  });

  it('removes a section and nothing else', () => {
    expect(removeSection(scanIni('# keep\n[profile a]\nx = 1\n[profile b]\ny = 2\n', 'config'), 'profile', 'a')).toBe('# keep\n[profile b]\ny = 2\n');
  });
});
