// Which web permissions a page may have. Hatch needs none of the powerful ones (camera,
// geolocation, notifications, HID…); the single exception is writing to the clipboard
// from the app's own top frame, which the terminal's "copy" uses.
import { isAppUrl } from './app-origin';

const ALLOWED_FROM_APP = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, isMainFrame: boolean | undefined): boolean {
  return ALLOWED_FROM_APP.has(permission) && isMainFrame !== false && requestingUrl !== undefined && isAppUrl(requestingUrl);
}
