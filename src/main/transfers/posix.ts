// The POSIX dialect: a stock `sh` with base64 (or od), gzip/zstd when present, and
// sha256sum / shasum / openssl for the checksum. Every command is one line eval'ed by the
// loop that boot() leaves running in raw mode; paths reach it only through printf formats
// made of printable ASCII inside single quotes (see shAssign), so no name can inject.
import type { Dialect, DownloadSend, RemotePath, UploadReceive, Wire } from './dialect';

/** A printf format that prints exactly `bytes`: printable ASCII as is, the rest as octal escapes. */
export function printfFormat(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x25) out += '%%';
    else if (byte === 0x5c) out += '\\\\';
    // A leading "-" would read as an option of printf.
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27 && !(byte === 0x2d && out === '')) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/**
 * `name=<path>` as sh: `~` and `~/…` start at $HOME, anything else is printed by printf
 * from its format. A trailing `x` is cut off again so a name ending in newlines keeps them.
 */
export function shAssign(name: string, path: RemotePath): string {
  if (!/^[a-z]$/.test(name)) throw new Error(`bad shell variable ${name}`);
  if (path === '~') return `${name}=$HOME`;
  const home = typeof path === 'string' && path.startsWith('~/');
  const rest = typeof path === 'string' ? Buffer.from(home ? path.slice(2) : path, 'utf8') : path;
  const printed = `$(printf '${printfFormat(rest)}x')`;
  return home ? `${name}="$HOME/${printed}"; ${name}=\${${name}%x}` : `${name}=${printed}; ${name}=\${${name}%x}`;
}

/** Alphanumerics stay as they are in an upload line; every other byte is an octal escape. */
function printfDataLine(chunk: Buffer): string {
  let out = '';
  for (const byte of chunk) {
    const alnum = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
    out += alnum ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

const TOOLS = ['base64', 'od', 'gzip', 'zstd', 'sha256sum', 'shasum', 'openssl', 'head', 'tail', 'find'];

// Relative paths start at the home directory (the loop's cwd); answers name absolute paths.
const ABSOLUTE = `case "$p" in /*) ;; *) p="$PWD/$p";; esac`;
// Split $p into its directory $d and last name $b.
const SPLIT = `case "$p" in */*) d=\${p%/*}; [ -n "$d" ] || d=/;; *) d=.;; esac; b=\${p##*/}`;

export const posixDialect: Dialect = {
  kind: 'posix',

  boot(nonce) {
    // Typed into whatever interactive shell the session runs, so it is short and echoed: the
    // marker is assembled at run time ("#HATCH-$0") and never appears whole in the echo.
    // stderr goes to /dev/null for good: only our reply lines and data reach the terminal.
    const loop = `M="#HATCH-$0"; r() { printf "%s %s\\n" "$M" "$*"; }; exec 2>/dev/null; cd; r BOOT "$1"; while IFS= read -r l; do eval "$l"; done`;
    return `stty raw -echo 2>/dev/null; exec /bin/sh -c '${loop}' ${nonce} $?\r`;
  },

  probe() {
    return [
      `T=; for t in ${TOOLS.join(' ')}; do command -v $t >/dev/null 2>&1 && T=$T,$t; done`,
      `B=; [ "$(printf QQ== | base64 -d 2>/dev/null)" = A ] && B=$B,d`,
      `[ "$(printf QQ== | base64 -D 2>/dev/null)" = A ] && B=$B,D`,
      `[ "$(printf A | base64 -w0 2>/dev/null)" = QQ== ] && B=$B,w0`,
      // coreutils 8.31+: basenc encodes Z85 (its alphabet has no whitespace; -w0: one line).
      `[ "$(printf AAAA | basenc --z85 -w0 2>/dev/null)" = 'k%W!5' ] && B=$B,z85`,
      `r PROBE "$(uname -s 2>/dev/null | tr -cd 'A-Za-z0-9_.-')" "\${T#,}" "\${B#,}"`,
    ].join('; ');
  },

  parseProbe(fields) {
    const list = (text: string | undefined) => new Set((text ?? '').split(',').filter(Boolean));
    return { os: fields[0] ?? '', tools: list(fields[1]), base64: list(fields[2]) };
  },

  chooseWire(node, local, allowCompression) {
    if (!node.tools.has('sha256sum') && !node.tools.has('shasum') && !node.tools.has('openssl')) {
      return { missing: 'sha256sum, shasum or openssl (to check the SHA-256)' };
    }
    const base64 = node.tools.has('base64') && (node.base64.has('d') || node.base64.has('D'));
    if (!base64 && !node.tools.has('od')) return { missing: 'base64 or od' };
    if (!node.tools.has('head') || !node.tools.has('tail')) return { missing: 'head and tail' };
    const compress = !allowCompression ? null : local.zstd && node.tools.has('zstd') ? 'zstd' : node.tools.has('gzip') ? 'gzip' : null;
    return { wire: { encode: base64 ? 'base64' : 'hex', decode: base64 ? 'base64' : 'printf', compress, z85: node.base64.has('z85') } };
  },

  prelude(node, wire) {
    const hash = node.tools.has('sha256sum') ? 'sha256sum' : node.tools.has('shasum') ? 'shasum -a 256' : 'openssl dgst -sha256 -r';
    const encode = wire.encode === 'hex' ? 'od -An -v -tx1' : node.base64.has('w0') ? 'base64 -w0' : 'base64';
    const decode =
      wire.decode === 'printf' ? `while IFS= read -r y; do printf "$y"; done` : node.base64.has('d') ? 'base64 -d' : 'base64 -D';
    const z = wire.compress === 'zstd' ? 'zstd -q -c -3' : wire.compress === 'gzip' ? 'gzip -c' : 'cat';
    const unz = wire.compress === 'zstd' ? 'zstd -q -d -c' : wire.compress === 'gzip' ? 'gzip -d -c' : 'cat';
    return [
      'export LC_ALL=C',
      // h: SHA-256 of stdin; x: a value as hex (names of any bytes travel back safely).
      `h() { ${hash} | cut -d' ' -f1; }`,
      `x() { printf %s "$1" | od -An -v -tx1 | tr -d ' \\n'; }`,
      `enc() { ${encode}; }`,
      `dec() { ${decode}; }`,
      `zc() { ${z}; }`,
      `zd() { ${unz}; }`,
      // e85: Z85 of stdin, whose length the caller made a multiple of 4.
      ...(wire.z85 ? ['e85() { basenc --z85 -w0; }'] : []),
      // rd: the data lines of an upload, up to the "." line (nothing follows it until we answer).
      `rd() { sed -n '/^\\.$/q;p'; }`,
      // A part may still have a writer: the loop of a client that died mid-upload, whose
      // session lives on until the agent ends it. Its lock names it (pid + nonce); it is
      // stopped with its pipeline (its process group) before the part is looked at, so
      // nothing it still holds is written into the part afterwards.
      `ours() { { ps -p "$1" -o args= 2>/dev/null || tr '\\000' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -q -- "$2"; }`,
      // The lock of the upload running now ($L) goes with the loop when it is stopped or
      // hung up (a session ending mid-upload): a lock is never left behind, only the part.
      `L=; trap '[ -z "$L" ] || { read -r lp lm < "$L" && [ "$lp" = $$ ] && rm -f "$L"; }; exit 129' HUP TERM INT`,
      `unlock() { if [ -f "$1" ]; then read -r op om < "$1"; if [ -n "$op" ] && [ "$op" != $$ ] && ours "$op" "\${om#\\#HATCH-}"; then kill -TERM -"$op" 2>/dev/null || kill -TERM "$op"; i=0; while kill -0 "$op" 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i+1)); done; fi; rm -f "$1"; fi; }`,
      'r OK',
    ].join('; ');
  },

  uploadPrepare(path, name) {
    return [
      shAssign('p', path),
      shAssign('n', name),
      `if [ -d "$p" ]; then p="\${p%/}/$n"; fi`,
      ABSOLUTE,
      SPLIT,
      `t="$d/.$b.hatch-part"; [ -z "$b" ] || unlock "$t.lock"`,
      `if [ -z "$b" ] || [ ! -d "$d" ]; then r ERR ENOENT`,
      `elif [ -d "$p" ]; then r ERR EISDIR`,
      `elif [ -f "$t" ] && [ -w "$t" ]; then r PART $(wc -c < "$t") "$(h < "$t")" "$(x "$p")"`,
      // Creating the part file is the real test of "can we write here" (read-only mounts included).
      `elif (true > "$t"); then rm -f "$t"; r PART 0 - "$(x "$p")"`,
      `else r ERR EACCES; fi`,
    ].join('; ');
  },

  uploadReceive(step: UploadReceive, wire: Wire) {
    const unzip = step.compressed && wire.compress ? ' | zd' : '';
    const chmod = step.mode === null ? '' : `chmod ${(step.mode & 0o7777).toString(8)} "$t"; `;
    if (!/^[0-9a-f]{64}$/.test(step.sha256)) throw new Error('bad sha256');
    return [
      shAssign('p', step.path),
      SPLIT,
      `t="$d/.$b.hatch-part"; unlock "$t.lock"`,
      step.offset === 0 ? `if ! (true > "$t"); then r ERR EACCES` : `if [ "$(wc -c < "$t" | tr -d ' ')" != ${step.offset} ]; then r ERR EHASH`,
      `else L="$t.lock"; printf '%s %s\\n' $$ "$M" > "$L"; r READY; e=$( { rd | dec${unzip} >> "$t"; } 2>&1 ); s=$(wc -c < "$t" | tr -d ' '); k=$(h < "$t"); rm -f "$L"; L=`,
      `if [ "$k" = ${step.sha256} ]; then ${chmod}if mv -f "$t" "$p"; then r OK $s; else rm -f "$t"; r ERR EIO; fi`,
      `elif [ -n "$e" ]; then rm -f "$t"; r ERR EIO "$(printf %s "$e" | tr -c ' -~' ' ')"`,
      `else rm -f "$t"; r ERR EHASH $s; fi; fi`,
    ].join('; ');
  },

  encodeLine(chunk, wire) {
    return wire.decode === 'base64' ? chunk.toString('base64') : printfDataLine(chunk);
  },

  lineBytes(wire) {
    // Long lines: fewer newlines for sed to find; printf lines stay short for the read loop.
    return wire.decode === 'base64' ? 48 * 1024 : 1024;
  },

  downloadStat(path, offset) {
    const keep = Math.max(0, Math.trunc(offset));
    return [
      shAssign('p', path),
      `if [ -d "$p" ]; then r DIR`,
      `elif [ ! -e "$p" ]; then r ERR ENOENT`,
      `elif [ ! -f "$p" ]; then r ERR ENOTFILE`,
      `elif [ ! -r "$p" ]; then r ERR EACCES`,
      `else s=$(wc -c < "$p" | tr -d ' '); k=${keep}; [ $k -le $s ] || k=0; q=-; [ $k -gt 0 ] && q=$(head -c $k < "$p" | h)`,
      `r FILE $s "$(ls -ld "$p" | head -n 1 | cut -c1-10)" "$(head -c $s < "$p" | h)" $k $q; fi`,
    ].join('; ');
  },

  downloadSend(step: DownloadSend, wire: Wire) {
    const offset = Math.max(0, Math.trunc(step.offset));
    const count = Math.max(0, Math.trunc(step.size) - offset);
    const from = (bytes: number) => (offset === 0 ? `head -c ${bytes} < "$p"` : `tail -c +${offset + 1} "$p" | head -c ${bytes}`);
    // Uncompressed data as Z85 when the node can: padded to whole 4-byte groups with NULs,
    // which the client cuts off again (it knows the count).
    const pad = (4 - (count % 4)) % 4;
    const plain = wire.z85
      ? `r START - z85; ${pad ? `{ ${from(count)}; printf '${'\\000'.repeat(pad)}'; }` : from(count)} | e85`
      : `r START - ${wire.encode}; ${from(count)} | enc`;
    const head = `${shAssign('p', step.path)}; `;
    const tail = '; echo; r END';
    if (!step.mayCompress || !wire.compress || count === 0) return `${head}${plain}${tail}`;
    // Compressed only when a sample of the data shrinks below 90 % (random data, archives and
    // images do not): decided here, so it costs no round trip.
    const sample = Math.min(count, 64 * 1024);
    const decide = `c=-; [ $(${from(sample)} | zc | wc -c) -lt ${Math.floor(sample * 0.9)} ] && c=z`;
    return `${head}${decide}; if [ $c = z ]; then r START z ${wire.encode}; ${from(count)} | zc | enc; else ${plain}; fi${tail}`;
  },

  listTree(path) {
    return [
      shAssign('p', path),
      `if [ ! -d "$p" ]; then r ERR ENOTDIR`,
      `elif [ ! -r "$p" ] || [ ! -x "$p" ]; then r ERR EACCES`,
      `else r TREE "$( (cd "$p" && find . -type d -exec printf 'd%s\\0' {} + && find . -type f -exec printf 'f%s\\0' {} +) | od -An -v -tx1 | tr -d ' \\n')"; fi`,
    ].join('; ');
  },

  treeTarget(path, name) {
    return [
      shAssign('p', path),
      shAssign('n', name),
      `if [ -d "$p" ]; then p="\${p%/}/$n"; fi`,
      ABSOLUTE,
      SPLIT,
      `if [ -e "$p" ] && [ ! -d "$p" ]; then r ERR ENOTDIR`,
      `elif [ ! -d "$d" ]; then r ERR ENOENT`,
      `elif mkdir -p "$p" && [ -w "$p" ]; then r DIRAT "$(x "$p")"`,
      `else r ERR EACCES; fi`,
    ].join('; ');
  },

  makeDirs(paths) {
    const steps = paths.map((path, index) => `${shAssign('p', path)}; [ -n "$f" ] || mkdir -p "$p" || f=${index}`);
    return ['f=', ...steps, `if [ -z "$f" ]; then r OK; else r ERR EACCES $f; fi`].join('; ');
  },

  exit() {
    return 'exit 0';
  },
};
