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
