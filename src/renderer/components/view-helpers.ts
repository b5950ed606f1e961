// Small helpers the Preferences, Documents and Audit views share.
import { HatchError, type ProfileSummary } from '../../shared/contract';

export function errorText(error: unknown): string {
  if (error instanceof HatchError) return error.action ? `${error.message} ${error.action}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

const COMMON_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1'];

/** A profile's regions (its own first; the sandbox only serves its own). */
export function regionsOf(profile: ProfileSummary): string[] {
  const own = [...(profile.regions ?? []), ...(profile.region ? [profile.region] : [])];
  return [...new Set(profile.kind === 'builtin-sandbox' || own.length > 0 ? own : [...own, ...COMMON_REGIONS])];
}

export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Saves text as a file through a Blob link (works in Electron and the browser host). */
export function downloadText(filename: string, mimeType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A tunnel form's two ports: the remote one required, the local one empty for any free port. */
export function checkPorts(remotePort: string, localPort: string): { remote: number; local: number; remoteError: string | null; localError: string | null } {
  const remote = Number(remotePort);
  const local = localPort === '' ? 0 : Number(localPort);
  return {
    remote,
    local,
    remoteError: remotePort !== '' && !(Number.isInteger(remote) && remote >= 1 && remote <= 65535) ? 'A port from 1 to 65535.' : null,
    localError: !(Number.isInteger(local) && local >= 0 && local <= 65535) ? 'A port from 1 to 65535, or empty for any free port.' : null,
  };
}
