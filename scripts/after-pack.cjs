// electron-builder afterPack hook: flip Electron's fuses in the packed binary, before
// electron-builder signs it (mac, Windows), then read them back and fail the build if any
// did not take. Fuses are compile-time switches baked into the executable; turning these
// off removes ways to run arbitrary code with the app's identity and entitlements.
const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseV1Options, FuseVersion } = require('@electron/fuses');

/** Fuse → wanted state. */
const HATCH_FUSES = {
  // `ELECTRON_RUN_AS_NODE=1 Hatch` would be a signed, entitled Node interpreter.
  [FuseV1Options.RunAsNode]: false,
  // Cookies and local storage encrypted with an OS-keychain key.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS (--require …) would inject code into main.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect / --inspect-brk would open a debugger on main.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar is checked against the hash embedded at build time (macOS, Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Only the packed app.asar, never a loose app/ folder dropped next to it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The renderer is served from hatch://, so file:// needs no extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The file that holds the fuse wire, per platform (mac: the .app; @electron/fuses finds the framework). */
function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  const binary = electronBinary(context);
  // An arm64 mac binary carries an ad-hoc signature that editing invalidates; unsigned
  // builds would not start without a fresh one (signed builds are re-signed anyway).
  const arm64Mac = context.electronPlatformName === 'darwin' && context.arch === 3; // builder-util Arch.arm64
  // Not strictlyRequireAllFuses: a newer Electron may add fuses this list does not know;
  // those keep Electron's default, and every fuse named here is verified below.
  await flipFuses(binary, { version: FuseVersion.V1, resetAdHocDarwinSignature: arm64Mac, ...HATCH_FUSES });
  const wire = await getCurrentFuseWire(binary);
  const wrong = Object.entries(HATCH_FUSES).filter(([fuse, on]) => wire[fuse] !== (on ? 49 : 48)); // FuseState ENABLE / DISABLE
  if (wrong.length > 0) {
    throw new Error(`Fuses not set in ${binary}: ${wrong.map(([fuse]) => FuseV1Options[fuse]).join(', ')}`);
  }
  console.log(`  • fuses set in ${path.basename(binary)}: ${Object.entries(HATCH_FUSES).map(([fuse, on]) => `${FuseV1Options[fuse]}=${on ? 'on' : 'off'}`).join(', ')}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.HATCH_FUSES = HATCH_FUSES;
module.exports.electronBinary = electronBinary;
