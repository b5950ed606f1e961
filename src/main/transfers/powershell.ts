// The PowerShell dialect, for Windows nodes (the agent's shell there is Windows PowerShell
// 5.1). Same reply protocol as the POSIX one. Paths reach a command only as base64 of
// their UTF-8 bytes, decoded by .NET, so no quote of any kind (PowerShell also treats the
// typographic quotes as quotes) can end a string. Console echo is turned off through
// SetConsoleMode (ENABLE_ECHO_INPUT), the Windows counterpart of `stty -echo`.
import type { Dialect, DownloadSend, NodeTools, RemotePath, UploadReceive, Wire } from './dialect';

/** A PowerShell expression for the path: base64 → UTF-8 → relative to the home directory. */
export function psPath(path: RemotePath): string {
  let text = typeof path === 'string' ? path : path.toString('utf8');
  if (text === '~') text = '';
  else if (text.startsWith('~/') || text.startsWith('~\\')) text = text.slice(2);
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  return `(hp '${b64}')`;
}

/** A PowerShell expression for any text (a name may hold newlines or quotes): base64 → UTF-8. */
function psText(text: string): string {
  return `([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${Buffer.from(text, 'utf8').toString('base64')}')))`;
}

const ECHO_OFF =
  "Add-Type -Name K -Namespace HatchConsole -MemberDefinition '[DllImport(\"kernel32.dll\")] public static extern IntPtr GetStdHandle(int h); [DllImport(\"kernel32.dll\")] public static extern bool GetConsoleMode(IntPtr h, out uint m); [DllImport(\"kernel32.dll\")] public static extern bool SetConsoleMode(IntPtr h, uint m);'; " +
  '$hh=[HatchConsole.K]::GetStdHandle(-10); $hm=0; $raw=0; if ([HatchConsole.K]::GetConsoleMode($hh,[ref]$hm)) { if ([HatchConsole.K]::SetConsoleMode($hh, $hm -band (-bnot 4))) { $raw=0 } else { $raw=1 } } else { $raw=0 }';

export const powershellDialect: Dialect = {
  kind: 'powershell',

  boot(nonce) {
    // The marker is put together at run time: the echoed line never holds it whole.
    return [
      `$ProgressPreference='SilentlyContinue'; $ErrorActionPreference='Stop'`,
      `$M='#HATCH-'+'${nonce}'`,
      `function r { [Console]::Out.Write($M + ' ' + ($args -join ' ') + [char]10); [Console]::Out.Flush() }`,
      `try { ${ECHO_OFF} } catch { $raw=0 }`,
      'Set-Location $HOME',
      'r BOOT $raw',
      "while ($null -ne ($l = [Console]::In.ReadLine())) { try { Invoke-Expression $l } catch { r ERR EIO ($_.Exception.Message -replace '\\s+',' ') } }",
    ].join('; ') + '\r';
  },

  probe() {
    return "r PROBE Windows powershell,base64,gzip,sha256 d,w0";
  },

  parseProbe(fields): NodeTools {
    const list = (text: string | undefined) => new Set((text ?? '').split(',').filter(Boolean));
    return { os: fields[0] ?? 'Windows', tools: list(fields[1]), base64: list(fields[2]) };
  },

  chooseWire(_tools, _local, allowCompression) {
    // .NET has base64, GZipStream and SHA256 everywhere; zstd it has not.
    return { wire: { encode: 'base64', decode: 'base64', compress: allowCompression ? 'gzip' : null, z85: false } satisfies Wire };
  },

  prelude() {
    return [
      // hp: a path from base64, relative ones under $HOME; hs: SHA-256 of the first n bytes of a file.
      "function hp($b) { $t=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)); [IO.Path]::GetFullPath([IO.Path]::Combine($HOME, $t)) }",
      'function hx($s) { ([BitConverter]::ToString([Text.Encoding]::UTF8.GetBytes($s)) -replace \'-\',\'\').ToLower() }',
      'function hs($f, $n) { $s=[IO.File]::OpenRead($f); try { $a=[Security.Cryptography.SHA256]::Create(); $b=New-Object byte[] 1048576; $left=$n; while ($left -gt 0) { $c=$s.Read($b,0,[int][Math]::Min($b.Length,$left)); if ($c -le 0) { break }; [void]$a.TransformBlock($b,0,$c,$null,0); $left-=$c }; [void]$a.TransformFinalBlock($b,0,0); ([BitConverter]::ToString($a.Hash) -replace \'-\',\'\').ToLower() } finally { $s.Dispose() } }',
      // e64: n bytes of a stream as base64, in 48 KiB pieces (a multiple of 3: the pieces join up).
      'function e64($s, $n) { $b=New-Object byte[] 49152; $left=$n; while ($left -gt 0) { $f=0; $want=[int][Math]::Min($b.Length,$left); while ($f -lt $want) { $c=$s.Read($b,$f,$want-$f); if ($c -le 0) { break }; $f+=$c }; if ($f -le 0) { break }; [Console]::Out.Write([Convert]::ToBase64String($b,0,$f)); $left-=$f }; [Console]::Out.Flush() }',
      'r OK',
    ].join('; ');
  },

  uploadPrepare(path, name) {
    return [
      `$p=${psPath(path)}; $n=${psText(name)}`,
      'if ([IO.Directory]::Exists($p)) { $p=[IO.Path]::Combine($p, $n) }',
      '$d=[IO.Path]::GetDirectoryName($p); $b=[IO.Path]::GetFileName($p); $t=[IO.Path]::Combine($d, \'.\'+$b+\'.hatch-part\')',
      'if (-not $b -or -not [IO.Directory]::Exists($d)) { r ERR ENOENT }',
      'elseif ([IO.Directory]::Exists($p)) { r ERR EISDIR }',
      'elseif ([IO.File]::Exists($t)) { r PART ([IO.FileInfo]$t).Length (hs $t ([IO.FileInfo]$t).Length) (hx $p) }',
      'else { try { [IO.File]::Create($t).Dispose(); [IO.File]::Delete($t); r PART 0 - (hx $p) } catch { r ERR EACCES } }',
    ].join('; ');
  },

  uploadReceive(step: UploadReceive) {
    if (!/^[0-9a-f]{64}$/.test(step.sha256)) throw new Error('bad sha256');
    const mode = step.offset === 0 ? 'Create' : 'Append';
    return [
      `$p=${psPath(step.path)}`,
      '$d=[IO.Path]::GetDirectoryName($p); $b=[IO.Path]::GetFileName($p); $t=[IO.Path]::Combine($d, \'.\'+$b+\'.hatch-part\')',
      `$o=$null; try { $o=New-Object IO.FileStream($t, [IO.FileMode]::${mode}) } catch { }`,
      `if ($null -eq $o) { r ERR EACCES } elseif ($o.Position -ne ${step.offset}) { $o.Dispose(); r ERR EHASH }`,
      "else { r READY; $e=''; while ($true) { $l=[Console]::In.ReadLine(); if ($null -eq $l -or $l -eq '.') { break }; if ($e) { continue }; try { $x=[Convert]::FromBase64String($l); $o.Write($x,0,$x.Length) } catch { $e=$_.Exception.Message -replace '\\s+',' ' } }; $o.Dispose(); $s=([IO.FileInfo]$t).Length",
      `if ((hs $t $s) -eq '${step.sha256}') { try { Move-Item -LiteralPath $t -Destination $p -Force; r OK $s } catch { Remove-Item -LiteralPath $t -Force; r ERR EIO } }`,
      "elseif ($e) { Remove-Item -LiteralPath $t -Force; r ERR EIO $e } else { Remove-Item -LiteralPath $t -Force; r ERR EHASH $s } }",
    ].join('; ');
  },

  encodeLine(chunk) {
    return chunk.toString('base64');
  },

  lineBytes() {
    return 48 * 1024;
  },

  downloadStat(path, offset) {
    const keep = Math.max(0, Math.trunc(offset));
    return [
      `$p=${psPath(path)}`,
      'if ([IO.Directory]::Exists($p)) { r DIR }',
      'elseif (-not [IO.File]::Exists($p)) { r ERR ENOENT }',
      `else { try { $s=([IO.FileInfo]$p).Length; $k=${keep}; if ($k -gt $s) { $k=0 }; $q='-'; if ($k -gt 0) { $q=hs $p $k }; r FILE $s - (hs $p $s) $k $q } catch { r ERR EACCES } }`,
    ].join('; ');
  },

  downloadSend(step: DownloadSend) {
    const offset = Math.max(0, Math.trunc(step.offset));
    const count = Math.max(0, Math.trunc(step.size) - offset);
    // Compressed: gzip to a temporary file first (base64 needs whole 3-byte groups per write).
    const send = step.mayCompress
      ? `$z=[IO.Path]::GetTempFileName(); $w=[IO.File]::Create($z); $g=New-Object IO.Compression.GZipStream($w, [IO.Compression.CompressionMode]::Compress); $b=New-Object byte[] 1048576; $left=${count}; while ($left -gt 0) { $c=$i.Read($b,0,[int][Math]::Min($b.Length,$left)); if ($c -le 0) { break }; $g.Write($b,0,$c); $left-=$c }; $g.Dispose(); $w.Dispose(); $y=[IO.File]::OpenRead($z); e64 $y $y.Length; $y.Dispose(); Remove-Item -LiteralPath $z -Force`
      : `e64 $i ${count}`;
    return `$p=${psPath(step.path)}; r START ${step.mayCompress ? 'z' : '-'} base64; $i=[IO.File]::OpenRead($p); try { $i.Position=${offset}; ${send} } finally { $i.Dispose() }; [Console]::Out.Write([char]10); r END`;
  },

  listTree(path) {
    return [
      `$p=${psPath(path)}`,
      'if (-not [IO.Directory]::Exists($p)) { r ERR ENOTDIR }',
      "else { $root=[IO.Path]::GetFullPath($p).TrimEnd('\\'); $sb=New-Object Text.StringBuilder; foreach ($i in (Get-ChildItem -LiteralPath $p -Recurse -Force)) { $rel=$i.FullName.Substring($root.Length+1) -replace '\\\\','/'; if ($i.PSIsContainer) { [void]$sb.Append('d./'+$rel+[char]0) } else { [void]$sb.Append('f./'+$rel+[char]0) } }; r TREE (hx $sb.ToString()) }",
    ].join('; ');
  },

  treeTarget(path, name) {
    return [
      `$p=${psPath(path)}; $n=${psText(name)}`,
      'if ([IO.Directory]::Exists($p)) { $p=[IO.Path]::Combine($p, $n) }',
      'if ([IO.File]::Exists($p)) { r ERR ENOTDIR }',
      'elseif (-not [IO.Directory]::Exists([IO.Path]::GetDirectoryName($p))) { r ERR ENOENT }',
      'else { try { [void][IO.Directory]::CreateDirectory($p); r DIRAT (hx $p) } catch { r ERR EACCES } }',
    ].join('; ');
  },

  makeDirs(paths) {
    const list = paths.map((path) => psPath(path)).join(', ');
    return `$f=$null; $i=0; foreach ($p in @(${list})) { if ($null -eq $f) { try { [void][IO.Directory]::CreateDirectory($p) } catch { $f=$i } }; $i++ }; if ($null -eq $f) { r OK } else { r ERR EACCES $f }`;
  },

  exit() {
    return 'exit';
  },
};
