// A line-level view of an AWS shared config/credentials file, for two jobs the SDK's
// parser (@smithy/shared-ini-file-loader) does not do: telling the user which section a
// malformed line breaks (the SDK silently drops it, or merges keys into the wrong
// profile), and editing a file without touching anything but the keys we change.
// It follows the SDK's grammar (comments, `[profile x]`, indented sub-sections) so that
// what we diagnose is what the SDK will actually read.

export type IniFileKind = 'config' | 'credentials';

export type SectionType = 'profile' | 'sso-session' | 'services' | 'ignored';

export interface IniSection {
  /** Text between the brackets, trimmed. */
  header: string;
  type: SectionType;
  /** Profile / sso-session / services name ('' for ignored sections). */
  name: string;
  /** Index of the header line. */
  start: number;
  /** Index one past the last line belonging to the section. */
  end: number;
  /** Problems in this section, one sentence each, with 1-based line numbers. */
  errors: string[];
  /** Why the SDK ignores this section, when type is 'ignored'. */
  ignoredReason?: string;
}

export interface IniScan {
  kind: IniFileKind;
  lines: string[];
  eol: '\n' | '\r\n';
  /** True when the text ended with a line break (kept on rewrite). */
  finalEol: boolean;
  sections: IniSection[];
  /** Problems that belong to no section (or make the SDK reject the whole file). */
  fileErrors: string[];
  /** The SDK throws on this file and reads none of it. */
  rejected: boolean;
}

const KNOWN_PREFIXES = new Set(['profile', 'sso-session', 'services']);
// Same as the SDK's prefixKeyRegex: `<prefix> <name>` with optional quotes.
const PREFIXED = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;

/** The part of a line the SDK reads: comments start at ; or # at the start or after a space. */
export function stripComment(line: string): string {
  return line.split(/(^|\s)[;#]/)[0].trim();
}

export function scanIni(text: string, kind: IniFileKind): IniScan {
  const eol: '\n' | '\r\n' = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = /\r?\n$/.test(text);
  const lines = text.split(/\r?\n/);
  if (finalEol) lines.pop();
  const sections: IniSection[] = [];
  const fileErrors: string[] = [];
  let rejected = false;
  let current: IniSection | undefined;
  let subSection: string | undefined;

  if (text.includes('\u0000')) {
    return { kind, lines, eol, finalEol, sections, fileErrors: ['The file is not text (it contains NUL bytes).'], rejected: true };
  }

  const close = (index: number) => {
    if (current) current.end = index;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = stripComment(raw);
    const lineNo = i + 1;
    if (line === '') continue;
    if (line.startsWith('[')) {
      close(i);
      subSection = undefined;
      if (!line.endsWith(']')) {
        // The SDK does not see a section here: the lines below land in the previous section.
        const guess = line.slice(1).trim();
        const prev = current;
        current = { header: guess, type: 'ignored', name: '', start: i, end: lines.length, errors: [], ignoredReason: 'missing ]' };
        const parsed = classifyHeader(guess, kind);
        current.name = parsed.name;
        current.errors.push(`Line ${lineNo}: the section header "${raw.trim()}" is missing its closing "]", so the AWS SDK ignores it.`);
        if (prev && prev.type !== 'ignored') {
          prev.errors.push(
            `Line ${lineNo}: a malformed section header follows this section; the AWS SDK reads the keys below it as part of this section.`,
          );
        }
        sections.push(current);
        continue;
      }
      const header = line.slice(1, -1).trim();
      if (header === '__proto__' || header === 'profile __proto__') {
        rejected = true;
        fileErrors.push(`Line ${lineNo}: the section name "${header}" is not allowed; the AWS SDK rejects the whole file.`);
      }
      const parsed = classifyHeader(header, kind);
      current = { header, type: parsed.type, name: parsed.name, start: i, end: lines.length, errors: [] };
      if (parsed.ignoredReason) current.ignoredReason = parsed.ignoredReason;
      sections.push(current);
      continue;
    }
    if (!current) {
      fileErrors.push(`Line ${lineNo}: text outside any [section] is ignored.`);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      current.errors.push(
        eq === 0
          ? `Line ${lineNo}: a value without a key.`
          : `Line ${lineNo}: expected "key = value" but found "${truncate(redactLine(line))}".`,
      );
      continue;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      subSection = key;
      continue;
    }
    if (subSection && raw.trimStart() === raw) subSection = undefined;
    if (!/^[\w.-]+$/.test(key)) {
      current.errors.push(`Line ${lineNo}: "${truncate(key)}" is not a valid key name.`);
    }
  }
  close(lines.length);
  return { kind, lines, eol, finalEol, sections, fileErrors, rejected };
}

function classifyHeader(header: string, kind: IniFileKind): { type: SectionType; name: string; ignoredReason?: string } {
  const match = PREFIXED.exec(header);
  if (match) {
    const [, prefix, , name] = match;
    if (!KNOWN_PREFIXES.has(prefix)) {
      return { type: 'ignored', name, ignoredReason: `unknown section type "${prefix}"` };
    }
    if (kind === 'credentials') {
      // The SDK keys it as "profile.name", which no profile lookup ever asks for.
      return { type: 'ignored', name, ignoredReason: `the credentials file uses [${name}], not [${header}]` };
    }
    return { type: prefix as SectionType, name };
  }
  if (/\s/.test(header)) return { type: 'ignored', name: header, ignoredReason: 'a section name cannot contain spaces' };
  if (kind === 'credentials' || header === 'default') return { type: 'profile', name: header };
  return { type: 'ignored', name: header, ignoredReason: `the config file names profiles [profile ${header}]` };
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// A malformed line in a credentials file may hold a secret: show only its first word.
function redactLine(line: string): string {
  const first = line.split(/\s+/)[0];
  return line.length > first.length ? `${first} …` : first;
}

// ── Editing ─────────────────────────────────────────────────────────────────────────

/** Key changes for one section: a string sets the key, null removes it. */
export type SectionEdit = Record<string, string | null>;

/**
 * Apply `edit` to the section `type name` of a scanned file and return the new text.
 * Existing keys are changed in place (comments and unknown keys stay where they were),
 * removed keys lose only their own line, new keys go after the section's last entry;
 * a missing section is appended at the end of the file. Other sections are untouched.
 */
export function editSection(scan: IniScan, type: 'profile' | 'sso-session', name: string, edit: SectionEdit): string {
  const lines = scan.lines.slice();
  const header = sectionHeader(scan.kind, type, name);
  // Several sections with the same name are merged by the SDK; edit the last (it wins).
  const section = [...scan.sections].reverse().find((s) => s.type === type && s.name === name);

  if (!section) {
    const added = Object.entries(edit)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} = ${v}`);
    if (added.length === 0) return join(scan, lines);
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    if (lines.length > 0) lines.push('');
    lines.push(header, ...added);
    return join({ ...scan, finalEol: true }, lines);
  }

  let lastEntry = section.start;
  const remove = new Set<number>();
  const seen = new Set<string>();
  let subSection: string | undefined;
  for (let i = section.start + 1; i < section.end; i++) {
    const raw = lines[i];
    const line = stripComment(raw);
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    lastEntry = i;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') {
      subSection = key;
      continue;
    }
    if (subSection && raw.trimStart() !== raw) continue; // a nested key, not ours
    subSection = undefined;
    if (!Object.prototype.hasOwnProperty.call(edit, key)) continue;
    const next = edit[key];
    // A duplicate further down would override the line we set (the SDK keeps the last).
    if (next === null || seen.has(key)) {
      remove.add(i);
      continue;
    }
    const indent = /^\s*/.exec(raw)?.[0] ?? '';
    lines[i] = `${indent}${key} = ${next}${trailingComment(raw)}`;
    seen.add(key);
  }
  const insertions = Object.entries(edit)
    .filter(([k, v]) => v !== null && !seen.has(k))
    .map(([k, v]) => `${k} = ${v}`);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!remove.has(i)) out.push(lines[i]);
    if (i === lastEntry && insertions.length > 0) out.push(...insertions);
  }
  return join(scan, out);
}

/** Remove a whole section (header, its lines, and comments directly above the header). */
export function removeSection(scan: IniScan, type: 'profile' | 'sso-session', name: string): string {
  const doomed = scan.sections.filter((s) => s.type === type && s.name === name);
  if (doomed.length === 0) return join(scan, scan.lines);
  const drop = new Set<number>();
  for (const section of doomed) {
    for (let i = section.start; i < section.end; i++) drop.add(i);
  }
  return join(scan, scan.lines.filter((_, i) => !drop.has(i)));
}

export function sectionHeader(kind: IniFileKind, type: 'profile' | 'sso-session', name: string): string {
  if (type === 'sso-session') return `[sso-session ${name}]`;
  return kind === 'credentials' || name === 'default' ? `[${name}]` : `[profile ${name}]`;
}

function trailingComment(raw: string): string {
  const match = /(\s[;#].*)$/.exec(raw);
  return match ? match[1] : '';
}

function join(scan: Pick<IniScan, 'eol' | 'finalEol'>, lines: string[]): string {
  const text = lines.join(scan.eol);
  return scan.finalEol || lines.length > 0 ? text + scan.eol : text;
}
