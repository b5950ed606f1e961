// A line-level view of an AWS shared config/credentials file, for two jobs the SDK's
// parser (@smithy/shared-ini-file-loader) does not do: telling the user which line a
// problem is on (the SDK silently drops a malformed line, or merges keys into the wrong
// profile), and editing a file without touching a byte outside the section we change.
// It follows the SDK's grammar (comments, `[profile x]`, indented sub-sections) so that
// what we diagnose is what the SDK will actually read.
//
// The writer is the last line of defence against INI injection (docs/security.md): it
// refuses any name, key or value that could change the file's structure for the SDK, the
// AWS CLI (Python's configparser) or an editor — whatever the caller validated before.

export type IniFileKind = 'config' | 'credentials';

type SectionType = 'profile' | 'sso-session' | 'services' | 'ignored';

interface IniSection {
  /** Text between the brackets, trimmed. */
  header: string;
  type: SectionType;
  /** Profile / sso-session / services name ('' for ignored sections). */
  name: string;
  /** Index of the header line. */
  start: number;
  /** Index one past the last line belonging to the section. */
  end: number;
  /** Problems in this section, one sentence each, with 1-based line numbers; never a value. */
  errors: string[];
  /** Why the SDK ignores this section, when type is 'ignored'. */
  ignoredReason?: string;
  /** Line index of each key the SDK reads in this section (the last one wins), sub-keys as "sub.key". */
  keyLines: Map<string, number>;
}

export interface IniScan {
  kind: IniFileKind;
  /** Line contents, without their line breaks. */
  lines: string[];
  /** Each line's own break as found: '\n', '\r\n', or '' for a last line without one. */
  breaks: string[];
  /** The break new lines get: CRLF when the file uses it. */
  eol: '\n' | '\r\n';
  sections: IniSection[];
  /** Problems that belong to no section (or make the SDK reject the whole file); never a value. */
  fileErrors: string[];
  /** The SDK throws on this file and reads none of it. */
  rejected: boolean;
  /** Why Hatch must not edit this file (the SDK and the AWS CLI would read it differently), if so. */
  uneditable: string | null;
}

const KNOWN_PREFIXES = new Set(['profile', 'sso-session', 'services']);
// Same as the SDK's prefixKeyRegex: `<prefix> <name>` with optional quotes.
const PREFIXED = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;

/** The part of a line the SDK reads: comments start at ; or # at the start or after a space. */
function stripComment(line: string): string {
  return line.split(/(^|\s)[;#]/)[0].trim();
}

/** Splits as the SDK does (on \n and \r\n), keeping each line's own break. */
function splitLines(text: string): { lines: string[]; breaks: string[] } {
  const lines: string[] = [];
  const breaks: string[] = [];
  const re = /\r?\n/g;
  let at = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    lines.push(text.slice(at, match.index));
    breaks.push(match[0]);
    at = match.index + match[0].length;
  }
  if (at < text.length) {
    lines.push(text.slice(at));
    breaks.push('');
  }
  return { lines, breaks };
}

export function scanIni(text: string, kind: IniFileKind): IniScan {
  const eol: '\n' | '\r\n' = text.includes('\r\n') ? '\r\n' : '\n';
  const { lines, breaks } = splitLines(text);
  const sections: IniSection[] = [];
  const fileErrors: string[] = [];
  let rejected = false;
  let uneditable: string | null = null;
  let current: IniSection | undefined;
  let subSection: string | undefined;
  const firstHeaderLine = new Map<string, number>();

  if (text.includes('\u0000')) {
    return { kind, lines, breaks, eol, sections, fileErrors: ['The file is not text (it contains NUL bytes).'], rejected: true, uneditable: 'it is not text' };
  }

  const close = (index: number) => {
    if (current) current.end = index;
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    if (raw.includes('\r')) {
      // The AWS CLI (Python) ends a line at a lone CR; the SDK and Hatch do not. Such a file
      // can hide a section from one reader and show it to the other.
      fileErrors.push(`Line ${lineNo}: a carriage return inside the line; the AWS CLI reads it as a line break, the AWS SDK does not.`);
      uneditable ??= `line ${lineNo} holds a lone carriage return`;
    }
    const line = stripComment(raw);
    if (line === '') continue;
    if (line.startsWith('[')) {
      close(i);
      subSection = undefined;
      if (!line.endsWith(']')) {
        // The SDK does not see a section here: the lines below land in the previous section.
        const guess = line.slice(1).trim();
        const prev = current;
        const parsed = classifyHeader(guess, kind);
        current = { header: guess, type: 'ignored', name: parsed.name, start: i, end: lines.length, errors: [], ignoredReason: 'missing ]', keyLines: new Map() };
        current.errors.push(`Line ${lineNo}: the section header is missing its closing "]", so the AWS SDK ignores it.`);
        if (prev && prev.type !== 'ignored') {
          prev.errors.push(`Line ${lineNo}: a malformed section header follows this section; the AWS SDK reads the keys below it as part of this section.`);
        }
        sections.push(current);
        continue;
      }
      const header = line.slice(1, -1).trim();
      if (header === '__proto__' || header === 'profile __proto__') {
        rejected = true;
        fileErrors.push(`Line ${lineNo}: the section name "${header}" is not allowed; the AWS SDK rejects the whole file.`);
      }
      const first = firstHeaderLine.get(header);
      if (first !== undefined) {
        fileErrors.push(`Line ${lineNo}: the section [${header}] appears again (first on line ${first}); the AWS CLI refuses a file with a repeated section.`);
      } else firstHeaderLine.set(header, lineNo);
      const parsed = classifyHeader(header, kind);
      current = { header, type: parsed.type, name: parsed.name, start: i, end: lines.length, errors: [], keyLines: new Map() };
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
      // Never quoted: a line without "=" may be a secret pasted on its own.
      current.errors.push(eq === 0 ? `Line ${lineNo}: a value without a key.` : `Line ${lineNo}: expected "key = value".`);
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
      // Not quoted either: the "key" of a bare token with an "=" in it is most of the token.
      current.errors.push(`Line ${lineNo}: the key name is not valid (letters, digits, "_", "-" and "." only).`);
      continue;
    }
    current.keyLines.set(subSection ? `${subSection}.${key}` : key, i);
  }
  close(lines.length);
  return { kind, lines, breaks, eol, sections, fileErrors, rejected, uneditable };
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

// ── What the writer accepts ─────────────────────────────────────────────────────────

/** A name, key or value the writer will not put in a file; `field` names it, never the value. */
export class IniWriteError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = 'IniWriteError';
  }
}

// The SDK's section-name characters; the same set for the credentials file's bare names.
const SECTION_NAME = /^[\w\-@+.%:/]{1,128}$/;
const KEY = /^[A-Za-z0-9_][\w.-]{0,127}$/;
// Anything that ends a line for some reader (CR, LF, VT, FF, FS/GS/RS, NEL, U+2028/9) or
// is not text: every C0 and C1 control and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function assertSectionName(name: string): void {
  if (!SECTION_NAME.test(name) || name === '__proto__') {
    throw new IniWriteError('The profile or section name', 'may use only letters, digits and _-@+.%:/ (at most 128).');
  }
}

function assertKey(key: string): void {
  if (!KEY.test(key)) throw new IniWriteError(`The key name`, 'may use only letters, digits, "_", "-" and "." and must not start with "[", ";" or "#".');
}

/** A value the SDK and the AWS CLI both read back exactly as written, on one line. */
function assertValue(key: string, value: string): void {
  if (value.length === 0 || value.length > 4096) throw new IniWriteError(key, 'must be 1 to 4096 characters long.');
  if (LINE_BREAKING.test(value)) throw new IniWriteError(key, 'must not contain line breaks or other control characters.');
  // The SDK trims values: leading or trailing spaces would not come back.
  if (value.trim() !== value) throw new IniWriteError(key, 'must not start or end with spaces.');
  // The SDK cuts a line at " ;" or " #" (a comment); "key = #x" would even read as "key =", a sub-section.
  if (/(^|\s)[;#]/.test(value)) throw new IniWriteError(key, 'must not contain ";" or "#" at its start or after a space (the AWS SDK reads the rest as a comment).');
}

// ── Editing ─────────────────────────────────────────────────────────────────────────

/** Key changes for one section: a string sets the key, null removes it. */
export type SectionEdit = Record<string, string | null>;

function validateEdit(name: string, edit: SectionEdit): void {
  assertSectionName(name);
  for (const [key, value] of Object.entries(edit)) {
    assertKey(key);
    if (value !== null) assertValue(key, value);
  }
}

function refuseUneditable(scan: IniScan): void {
  if (scan.uneditable) throw new IniWriteError('This file', `cannot be edited safely: ${scan.uneditable}. Fix it in an editor first.`);
}

/**
 * Apply `edit` to the section `type name` of a scanned file and return the new text.
 * Existing keys are changed in place (comments and unknown keys stay where they were),
 * removed keys lose only their own line, new keys go after the section's last entry;
 * a missing section is appended at the end of the file. Every byte outside the section
 * stays as it was (line breaks, comments, a missing final line break).
 */
export function editSection(scan: IniScan, type: 'profile' | 'sso-session', name: string, edit: SectionEdit): string {
  validateEdit(name, edit);
  refuseUneditable(scan);
  const lines = scan.lines.slice();
  const breaks = scan.breaks.slice();
  const header = sectionHeader(scan.kind, type, name);
  // Several sections with the same name are merged by the SDK; edit the last (it wins).
  const section = [...scan.sections].reverse().find((s) => s.type === type && s.name === name);

  if (!section) {
    const added = Object.entries(edit)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k} = ${v}`);
    if (added.length === 0) return join(lines, breaks);
    // Appended after everything, separated by one blank line; the old text stays a prefix.
    if (lines.length > 0 && breaks[breaks.length - 1] === '') breaks[breaks.length - 1] = scan.eol;
    if (lines.length > 0 && lines[lines.length - 1].trim() !== '') {
      lines.push('');
      breaks.push(scan.eol);
    }
    for (const line of [header, ...added]) {
      lines.push(line);
      breaks.push(scan.eol);
    }
    return join(lines, breaks);
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
  const outLines: string[] = [];
  const outBreaks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const kept = !remove.has(i);
    if (kept) {
      outLines.push(lines[i]);
      outBreaks.push(breaks[i]);
    }
    if (i === lastEntry && insertions.length > 0) {
      // New keys follow the section's last entry; the last of them takes over that line's
      // break, so a file that ended without one still does.
      const tail = breaks[i];
      if (kept) outBreaks[outBreaks.length - 1] = tail || scan.eol;
      for (const line of insertions) {
        outLines.push(line);
        outBreaks.push(scan.eol);
      }
      outBreaks[outBreaks.length - 1] = tail;
    }
  }
  return join(outLines, outBreaks);
}

/**
 * The lines a section owns, [from, to): the blank lines and comments just above its header
 * (a comment block separated from the header by a blank line belongs to what is above), the
 * header, and its lines up to the blank lines and comments that lead the next section.
 */
function sectionSpan(scan: IniScan, section: IniSection): { from: number; to: number } {
  const isBlank = (i: number) => scan.lines[i].trim() === '';
  const isComment = (i: number) => !isBlank(i) && stripComment(scan.lines[i]) === '';
  const floor = (() => {
    const previous = scan.sections.filter((s) => s.start < section.start).pop();
    return previous ? previous.start + 1 : 0;
  })();
  let from = section.start;
  while (from > floor && isComment(from - 1)) from--;
  while (from > floor && isBlank(from - 1)) from--;
  // A file's opening comment block (before any section, followed by a blank line) is the file's.
  const next = scan.sections.find((s) => s.start > section.start);
  let to = next ? next.start : scan.lines.length;
  if (next) {
    while (to > section.start + 1 && isComment(to - 1)) to--;
    while (to > section.start + 1 && isBlank(to - 1)) to--;
  }
  return { from, to };
}

/** Remove a whole section: its own leading comments and blank lines, header and lines; nothing of its neighbours. */
export function removeSection(scan: IniScan, type: 'profile' | 'sso-session', name: string): string {
  assertSectionName(name);
  const doomed = scan.sections.filter((s) => s.type === type && s.name === name);
  if (doomed.length === 0) return join(scan.lines, scan.breaks);
  refuseUneditable(scan);
  const drop = new Set<number>();
  for (const section of doomed) {
    const { from, to } = sectionSpan(scan, section);
    for (let i = from; i < to; i++) drop.add(i);
  }
  const keep = scan.lines.map((_, i) => i).filter((i) => !drop.has(i));
  return join(
    keep.map((i) => scan.lines[i]),
    keep.map((i) => scan.breaks[i]),
  );
}

function sectionHeader(kind: IniFileKind, type: 'profile' | 'sso-session', name: string): string {
  if (type === 'sso-session') return `[sso-session ${name}]`;
  return kind === 'credentials' || name === 'default' ? `[${name}]` : `[profile ${name}]`;
}

function trailingComment(raw: string): string {
  const match = /(\s[;#].*)$/.exec(raw);
  return match ? match[1] : '';
}

function join(lines: string[], breaks: string[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) text += lines[i] + breaks[i];
  return text;
}
