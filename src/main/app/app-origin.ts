// The app's own origin in Electron: the renderer is served from a privileged custom
// scheme (not file://) so that CSP headers apply and navigation checks have an origin.
export const APP_SCHEME = 'hatch';
const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** True for URLs of the app itself; everything else is remote content and is refused. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}
