import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { editSection, IniWriteError, removeSection, scanIni } from '../../../src/main/aws/ini';

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
    expect(a.errors).toEqual(['Line 3: a value without a key.', 'Line 4: expected "key = value".']);
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

  it('removes a section with its own leading comments, and nothing else', () => {
    expect(removeSection(scanIni('# keep\n\n[profile a]\nx = 1\n\n[profile b]\ny = 2\n', 'config'), 'profile', 'a')).toBe('# keep\n\n[profile b]\ny = 2\n');
    expect(removeSection(scanIni('# about a\n[profile a]\nx = 1\n# about b\n[profile b]\ny = 2\n', 'config'), 'profile', 'a')).toBe('# about b\n[profile b]\ny = 2\n');
  });
});

describe('the writer refuses anything that could change the file’s structure', () => {
  const scan = scanIni('[profile a]\nregion = us-east-1\n', 'config');
  const breaks = ['\n', '\r', '\r\n', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '\u0000', '\u001e', '\u007f'];

  it('values: line breaks, control characters, comment starts, surrounding spaces, empty', () => {
    for (const br of breaks) {
      expect(() => editSection(scan, 'profile', 'a', { mfa_serial: `arn:aws:iam::1:mfa/me${br}[profile alpha]` })).toThrow(IniWriteError);
      expect(() => editSection(scan, 'profile', 'new', { credential_process: `touch /tmp/x${br}` })).toThrow(IniWriteError);
    }
    for (const value of ['', ' lead', 'trail ', '#starts-a-comment', ';also', 'cmd --flag # cut here', 'cmd\t;cut']) {
      expect(() => editSection(scan, 'profile', 'a', { credential_process: value }), JSON.stringify(value)).toThrow(IniWriteError);
    }
    // What is fine: "=" and "#"/";" not after a space.
    expect(editSection(scan, 'profile', 'a', { credential_process: 'tool --x=1 --tag=a#b;c' })).toContain('credential_process = tool --x=1 --tag=a#b;c\n');
  });

  it('names and keys: only the SDK’s characters, never a bracket, a space or a line break', () => {
    for (const name of ['a]\n[profile b', 'with space', 'x\ry', '__proto__', '', 'a'.repeat(129), '[x', 'é']) {
      expect(() => editSection(scan, 'profile', name, { region: 'us-east-1' }), JSON.stringify(name)).toThrow(IniWriteError);
      expect(() => removeSection(scan, 'profile', name), JSON.stringify(name)).toThrow(IniWriteError);
    }
    for (const key of ['[profile b]', 'a b', 'k\n', '#k', ';k', 'k=v', '']) {
      expect(() => editSection(scan, 'profile', 'a', { [key]: 'v' }), JSON.stringify(key)).toThrow(IniWriteError);
    }
  });

  it('the error names the key, never the value', () => {
    try {
      editSection(scan, 'profile', 'a', { aws_secret_access_key: 'TOPSECRET\n[x]' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('aws_secret_access_key');
      expect((error as Error).message).not.toContain('TOPSECRET');
    }
  });

  it('a file with a lone carriage return (read differently by the AWS CLI and the SDK) is reported and not edited', () => {
    const tricky = scanIni('[profile a]\nregion = us-east-1\r[profile b]\rcredential_process = touch /tmp/x\n', 'config');
    expect(tricky.fileErrors[0]).toMatch(/Line 2: a carriage return inside the line/);
    expect(() => editSection(tricky, 'profile', 'a', { region: 'eu-west-1' })).toThrow(/lone carriage return/);
  });

  it('reports a repeated section (the AWS CLI refuses the whole file)', () => {
    expect(scanIni('[profile a]\nx = 1\n[profile a]\ny = 2\n', 'config').fileErrors).toEqual([
      'Line 3: the section [profile a] appears again (first on line 1); the AWS CLI refuses a file with a repeated section.',
    ]);
  });
});

// ── Round trips over generated files ───────────────────────────────────────────────
// A file is built from blocks whose ownership is unambiguous: optional comment preamble
// (then a blank line), and per section its leading blank lines and comments, its header,
// and a body that ends with an entry. Each line gets LF or CRLF; the file may end without
// a line break. Removing block i must give exactly the other blocks; editing block i must
// keep every byte before its header and from the next block on; adding keeps the whole
// file as a prefix. The SDK's own parser checks what it reads.

interface GenLine {
  text: string;
  eol: string;
}
interface GenBlock {
  name: string;
  lead: GenLine[];
  header: GenLine;
  body: GenLine[];
}

const eolArb = fc.constantFrom('\n', '\r\n');
const commentArb = fc.tuple(fc.constantFrom('#', ';', '  #'), fc.stringMatching(/^[ a-z0-9=[\]]{0,12}$/)).map(([mark, text]) => `${mark}${text}`);
const valueArb = fc.stringMatching(/^[a-zA-Z0-9:/._-][a-zA-Z0-9:/._=-]{0,14}$/);
const keyArb = fc.constantFrom('region', 'output', 'role_arn', 'custom_key', 'mfa_serial', 'x.y');
const bodyLineArb = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(keyArb, valueArb, fc.option(commentArb, { nil: undefined })).map(([k, v, c]) => [`${k} = ${v}${c ? ` ${c}` : ''}`]) },
  { weight: 1, arbitrary: commentArb.map((c) => [c]) },
  { weight: 1, arbitrary: fc.constant(['']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('s3', 'ec2'), valueArb).map(([sub, v]) => [`${sub} =`, `  nested = ${v}`]) },
);

const fileArb = fc
  .record({
    preamble: fc.array(commentArb, { maxLength: 2 }),
    blocks: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
        blanks: fc.integer({ min: 0, max: 2 }),
        comments: fc.array(commentArb, { maxLength: 2 }),
        body: fc.array(bodyLineArb, { maxLength: 4 }).map((groups) => groups.flat()),
        last: fc.tuple(keyArb, valueArb),
      }),
      { selector: (b) => b.name, minLength: 1, maxLength: 5 },
    ),
    eols: fc.array(eolArb, { minLength: 80, maxLength: 80 }),
    finalEol: fc.boolean(),
  })
  .map(({ preamble, blocks, eols, finalEol }) => {
    let n = 0;
    const line = (text: string): GenLine => ({ text, eol: eols[n++ % eols.length] });
    const pre = preamble.map(line);
    const built: GenBlock[] = blocks.map((b, i) => ({
      name: b.name,
      // A preamble needs a blank line after it, or its comments would belong to the first section.
      lead: [...Array.from({ length: i === 0 && pre.length > 0 ? Math.max(1, b.blanks) : b.blanks }, () => line('')), ...b.comments.map(line)],
      header: line(`[profile ${b.name}]`),
      body: [...b.body.map(line), line(`${b.last[0]} = ${b.last[1]}`)],
    }));
    const all = [...pre, ...built.flatMap((b) => [...b.lead, b.header, ...b.body])];
    if (!finalEol) all[all.length - 1].eol = '';
    return { pre, blocks: built };
  });

const render = (lines: GenLine[]) => lines.map((l) => l.text + l.eol).join('');
const blockLines = (b: GenBlock) => [...b.lead, b.header, ...b.body];

async function sdkParse(text: string): Promise<Record<string, Record<string, string | undefined>>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hatch-ini-prop-'));
  try {
    writeFileSync(path.join(dir, 'config'), text);
    return (await loadSharedConfigFiles({ configFilepath: path.join(dir, 'config'), filepath: path.join(dir, 'none'), ignoreCache: true })).configFile;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('round trips preserve every byte outside the edited section', () => {
  it('remove: exactly the other blocks remain', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.nat(), async ({ pre, blocks }, pick) => {
        const text = render([...pre, ...blocks.flatMap(blockLines)]);
        const victim = blocks[pick % blocks.length];
        const out = removeSection(scanIni(text, 'config'), 'profile', victim.name);
        expect(out).toBe(render([...pre, ...blocks.filter((b) => b !== victim).flatMap(blockLines)]));
        const before = await sdkParse(text);
        const after = await sdkParse(out);
        delete before[victim.name];
        expect(after).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('edit: bytes before the header and from the next section on are untouched; the SDK reads the change', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.nat(), keyArb, fc.option(valueArb, { nil: null }), async ({ pre, blocks }, pick, key, value) => {
        const index = pick % blocks.length;
        const text = render([...pre, ...blocks.flatMap(blockLines)]);
        const prefix = render([...pre, ...blocks.slice(0, index).flatMap(blockLines), ...blocks[index].lead]);
        const suffixLines = blocks.slice(index + 1).flatMap(blockLines);
        const out = editSection(scanIni(text, 'config'), 'profile', blocks[index].name, { [key]: value });
        expect(out.startsWith(prefix)).toBe(true);
        if (suffixLines.length > 0) expect(out.endsWith(render(suffixLines))).toBe(true);
        // The last section: a file that ended with a line break still does (when the edit removes
        // the last line, the line before it, with its own break, becomes the last).
        else if (text.endsWith('\n')) expect(out.endsWith('\n')).toBe(true);
        const before = await sdkParse(text);
        const after = await sdkParse(out);
        const expected = { ...before[blocks[index].name] };
        if (value === null) delete expected[key];
        else expected[key] = value;
        // (The SDK keeps no entry for a section without keys.)
        expect(after[blocks[index].name] ?? {}).toEqual(expected);
        delete before[blocks[index].name];
        delete after[blocks[index].name];
        expect(after).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });

  it('add: the whole file stays a prefix (given a line break if it had none), the SDK reads the new section', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, valueArb, async ({ pre, blocks }, value) => {
        const text = render([...pre, ...blocks.flatMap(blockLines)]);
        const out = editSection(scanIni(text, 'config'), 'profile', 'added-one', { region: value, output: 'json' });
        const eol = text.includes('\r\n') ? '\r\n' : '\n';
        expect(out.startsWith(/\r?\n$/.test(text) ? text : text + eol)).toBe(true);
        const after = await sdkParse(out);
        expect(after['added-one']).toEqual({ region: value, output: 'json' });
        delete after['added-one'];
        expect(after).toEqual(await sdkParse(text));
      }),
      { numRuns: 100 },
    );
  });
});
