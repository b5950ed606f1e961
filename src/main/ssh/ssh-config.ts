// Hatch's block in ~/.ssh/config, as pure text functions: the block is marked, holds one
// entry per key (a node alias, or the profile-wide `Host i-* mi-*`), and is replaced in
// place. Every byte outside the block is kept exactly; an entry written again with the
// same values changes nothing. Every value is validated, and quoted for the shell ssh runs
// ProxyCommand with, where it is written.
import { HatchError } from '../../shared/contract';

export const BLOCK_START = '# >>> Hatch: Session Manager hosts (managed by Hatch; edits between these markers are replaced) >>>';
export const BLOCK_END = '# <<< Hatch <<<';
const ENTRY = '# hatch-entry ';

export type SshEntry =
  | {
      kind: 'node';
      /** What to type after ssh: `ssh web-1`. */
      alias: string;
      nodeId: string;
      profile: string;
      region: string;
      user?: string;
    }
  | {
      /** `Host i-* mi-*`: any node id of this profile and region. One per file (ids do not say their account). */
      kind: 'profile';
      profile: string;
      region: string;
      user?: string;
    };

const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const NODE_ID = /^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
// AWS profile names are free text in the config file; these are the ones a command line can carry safely.
const PROFILE = /^[A-Za-z0-9_.@+=,:/-]{1,128}$/;

const bad = (message: string) => new HatchError('BadRequest', message);

/** Checks every value that will be written; throws a sentence naming the bad one. */
function validateEntry(entry: SshEntry): void {
  if (!PROFILE.test(entry.profile)) throw bad(`The profile name "${entry.profile}" has characters an ssh config line cannot carry safely (letters, digits and _.@+=,:/- only).`);
  if (!REGION.test(entry.region)) throw bad(`"${entry.region}" is not a region such as us-east-1.`);
  if (entry.user !== undefined && !USER.test(entry.user)) throw bad(`"${entry.user}" is not a user name (letters, digits, _ . -; up to 32).`);
  if (entry.kind === 'node') {
    if (!ALIAS.test(entry.alias)) throw bad(`"${entry.alias}" cannot be a Host alias: use letters, digits, . _ - (no spaces or wildcards), starting with a letter or digit.`);
    if (NODE_ID.test(entry.alias) && entry.alias !== entry.nodeId) throw bad(`The alias "${entry.alias}" is another node's id.`);
    if (!NODE_ID.test(entry.nodeId)) throw bad(`"${entry.nodeId}" is not a managed node id.`);
  }
}

/** A word for the shell ssh runs ProxyCommand with (sh -c on Unix; CreateProcess on Windows). */
export function shellWord(word: string, platform: NodeJS.Platform = process.platform): string {
  if (word.includes('\n') || word.includes('\r') || word.includes('\0')) throw bad('A ProxyCommand word cannot hold a line break.');
  if (platform === 'win32') {
    if (word.includes('"')) throw bad(`"${word}" cannot be quoted for Windows' ssh (it holds a double quote).`);
    return /[\s&|<>^()%!]/.test(word) || word === '' ? `"${word}"` : word;
  }
  return /^[A-Za-z0-9_./:=@+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** ssh expands %-tokens in ProxyCommand: a literal % must be written %%. */
const sshLiteral = (text: string) => text.replace(/%/g, '%%');

/** The lines of one entry (without the block markers), with `eol` line ends. */
function renderEntry(entry: SshEntry, hatchCommand: readonly string[], platform: NodeJS.Platform = process.platform): string[] {
  validateEntry(entry);
  if (hatchCommand.length === 0) throw bad('No hatch command to put in ProxyCommand.');
  const command = [...hatchCommand, 'ssh-proxy', '--profile', entry.profile, '--region', entry.region].map((w) => sshLiteral(shellWord(w, platform)));
  const proxy = `    ProxyCommand ${command.join(' ')} %h %p`;
  const user = entry.user ? [`    User ${entry.user}`] : [];
  if (entry.kind === 'node') {
    return [`${ENTRY}${entryKey(entry)} (node ${entry.nodeId}, profile ${entry.profile}, ${entry.region})`, `Host ${entry.alias}`, `    HostName ${entry.nodeId}`, ...user, proxy];
  }
  return [`${ENTRY}${entryKey(entry)} (any node id of profile ${entry.profile}, ${entry.region})`, 'Host i-* mi-*', ...user, proxy];
}

function entryKey(entry: SshEntry): string {
  return entry.kind === 'node' ? `node:${entry.alias}` : 'profile:any-node-id';
}

interface Located {
  /** Text before the block (kept as is). */
  before: string;
  /** Entries in the block: key → lines. */
  entries: Array<{ key: string; lines: string[] }>;
  /** Text after the block's end marker line (kept as is). */
  after: string;
  /** The end marker's line had a line end. */
  newlineAfter: boolean;
  found: boolean;
}

/** Finds Hatch's block; a half or doubled block is refused rather than guessed at. */
function locate(text: string): Located {
  const lines = text.split('\n');
  const starts: number[] = [];
  const ends: number[] = [];
  lines.forEach((line, i) => {
    const trimmed = line.replace(/\r$/, '').trim();
    if (trimmed === BLOCK_START) starts.push(i);
    else if (trimmed === BLOCK_END) ends.push(i);
  });
  if (starts.length === 0 && ends.length === 0) return { before: text, entries: [], after: '', newlineAfter: false, found: false };
  if (starts.length !== 1 || ends.length !== 1 || ends[0] < starts[0]) {
    throw new HatchError(
      'BadRequest',
      `The ssh config has ${starts.length} start and ${ends.length} end markers of Hatch's block; Hatch will not guess which lines are its own.`,
      `Remove the lines between "${BLOCK_START.slice(0, 20)}…" and "${BLOCK_END}" (and the markers) by hand, then try again.`,
    );
  }
  const [s, e] = [starts[0], ends[0]];
  const before = lines.slice(0, s).map((l) => `${l}\n`).join('');
  const after = lines.slice(e + 1).join('\n');
  const entries: Located['entries'] = [];
  for (const raw of lines.slice(s + 1, e)) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith(ENTRY)) entries.push({ key: line.slice(ENTRY.length).split(' ')[0], lines: [line] });
    else if (entries.length > 0 && line.trim() !== '') entries[entries.length - 1].lines.push(line);
  }
  return { before, entries, after, newlineAfter: e + 1 < lines.length, found: true };
}

/**
 * The file's text with `entry` written into Hatch's block (added, or replacing the entry
 * with the same key). The block is appended when absent; nothing else changes.
 */
export function withEntry(text: string, entry: SshEntry, hatchCommand: readonly string[], platform: NodeJS.Platform = process.platform): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const rendered = renderEntry(entry, hatchCommand, platform);
  const key = entryKey(entry);
  const at = locate(text);
  const entries = at.entries.some((e) => e.key === key) ? at.entries.map((e) => (e.key === key ? { key, lines: rendered } : e)) : [...at.entries, { key, lines: rendered }];
  const body = [BLOCK_START, ...entries.flatMap((e, i) => (i === 0 ? e.lines : ['', ...e.lines])), BLOCK_END].join(eol);
  // In place: the bytes before the start marker and after the end marker's line are the user's.
  if (at.found) return `${at.before}${body}${at.newlineAfter ? eol : ''}${at.after}`;
  // Appended after a blank line, so it reads as its own section.
  const sep = text === '' ? '' : text.endsWith(`${eol}${eol}`) ? '' : text.endsWith(eol) ? eol : `${eol}${eol}`;
  return `${text}${sep}${body}${eol}`;
}

/** The file's text without Hatch's block (and the blank line Hatch put before it). */
export function withoutBlock(text: string): string {
  const at = locate(text);
  if (!at.found) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const before = at.before.endsWith(`${eol}${eol}`) ? at.before.slice(0, -eol.length) : at.before;
  return before + at.after;
}
