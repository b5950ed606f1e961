// What a node's shell is asked to do during a transfer, independent of which shell it is.
// A dialect turns each step into ONE line of that shell's language; the line's answers are
// reply lines `#HATCH-<nonce> WORD fields…` (see remote-shell.ts). Paths never appear in
// a command as typed text: each dialect encodes them so no byte of a name can end a quote.

/** A path on the node: text as typed (`~/…` is the home directory), or exact bytes from a listing. */
export type RemotePath = string | Buffer;

/** What the node has, from the probe. */
export interface NodeTools {
  os: string;
  tools: ReadonlySet<string>;
  /**
   * Flags of the node's base64: `d` (decode with -d), `D` (decode with -D, old macOS), `w0`
   * (no wrapping); `z85`: coreutils' basenc encodes Z85 (denser text for downloads).
   */
  base64: ReadonlySet<string>;
}

/** How the bytes travel, chosen from the node's tools and what this end can do. */
export interface Wire {
  /** node → client: base64, or hex from od when base64 is missing. */
  encode: 'base64' | 'hex';
  /** client → node: base64 lines, or printf escapes when base64 is missing. */
  decode: 'base64' | 'printf';
  /** Compression for downloads (and compressible uploads) when both ends have it. */
  compress: 'zstd' | 'gzip' | null;
  /** node → client, data sent uncompressed: Z85 (5/4 of the bytes) instead of base64 (4/3). */
  z85: boolean;
}

/** How a download's data comes, from its `START` reply: `START z|- base64|hex|z85`. */
export interface DataFormat {
  compressed: boolean;
  encoding: 'base64' | 'hex' | 'z85';
}

export interface UploadReceive {
  /** The final path on the node (from uploadPrepare, or known for files inside a tree). */
  path: RemotePath;
  /** Bytes already in the part file that are kept (0: start over). */
  offset: number;
  /** SHA-256 (hex) of the whole file: the part is renamed only when it matches. */
  sha256: string;
  /** Permission bits to give the file (null: the node's default). */
  mode: number | null;
  /** The data lines are compressed with wire.compress. */
  compressed: boolean;
}

export interface DownloadSend {
  path: RemotePath;
  /** First byte to send. */
  offset: number;
  /** Bytes of the file to send in all (its size when it was looked at). */
  size: number;
  /** Compression is allowed: the node compresses only when a sample of the data shrinks. */
  mayCompress: boolean;
}

export interface Dialect {
  readonly kind: 'posix' | 'powershell';
  /** Typed into the session's interactive shell: leaves a quiet command loop that answers `BOOT`. */
  boot(nonce: string): string;
  /** Answers `PROBE os tools base64flags`. */
  probe(): string;
  parseProbe(fields: string[]): NodeTools;
  /** The wire to use with this node; null when the node cannot take part (the reason in `missing`). */
  chooseWire(tools: NodeTools, local: { zstd: boolean }, allowCompression: boolean): { wire: Wire } | { missing: string };
  /** Helper definitions for the later commands (hash, encode, decode); answers `OK`. */
  prelude(tools: NodeTools, wire: Wire): string;
  /**
   * Where an upload of `name` to `path` lands (into `path` when it is a directory) and what
   * part of it is already there: `PART partBytes partSha|- finalPathHex`, or `ERR code`.
   */
  uploadPrepare(path: RemotePath, name: string): string;
  /** `READY`, then reads data lines up to a `.` line; `OK bytes` once renamed, else `ERR code …`. */
  uploadReceive(step: UploadReceive, wire: Wire): string;
  /** How the data lines of an upload are written (base64 or printf escapes), without newlines. */
  encodeLine(chunk: Buffer, wire: Wire): string;
  /** Longest chunk of file bytes per data line. */
  lineBytes(wire: Wire): number;
  /**
   * `FILE size mode sha256 keptOffset keptSha|-` for a file (the sha of its first keptOffset
   * bytes, for resuming), `DIR`, or `ERR code`.
   */
  downloadStat(path: RemotePath, offset: number): string;
  /**
   * `START z|- encoding` (compressed or not, as the node decided from a sample; base64, hex or
   * z85), the encoded bytes, a newline, `END`. Z85 data has no newline but may hold `#`.
   */
  downloadSend(step: DownloadSend, wire: Wire): string;
  /** `TREE hex(NUL-separated "d./rel" and "f./rel" entries)` or `ERR code`. */
  listTree(path: RemotePath): string;
  /** The directory a tree upload of `name` to `path` fills (created): `DIRAT hex(path)` or `ERR code`. */
  treeTarget(path: RemotePath, name: string): string;
  /** Creates directories (with parents): `OK` or `ERR code index`. */
  makeDirs(paths: RemotePath[]): string;
  /** Ends the command loop (and so the shell, and the session). */
  exit(): string;
}

/** Octal permission bits from `ls -l`'s mode string (`-rwxr-x---`, ACL/SELinux marks ignored). */
export function modeFromLs(text: string): number | null {
  const m = /^[-dlbcps]([-r][-w][-xsS])([-r][-w][-xsS])([-r][-w][-xtT])/.exec(text);
  if (!m) return null;
  let mode = 0;
  for (const triple of [m[1], m[2], m[3]]) {
    mode = mode * 8 + (triple[0] === 'r' ? 4 : 0) + (triple[1] === 'w' ? 2 : 0) + (/[xst]/.test(triple[2]) ? 1 : 0);
  }
  return mode;
}
