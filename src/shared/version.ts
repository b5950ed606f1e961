// The app's own version, injected at build time from package.json (esbuild and vitest
// define it); a bare `tsx` run reports "dev".
declare const __HATCH_VERSION__: string | undefined;

export const appVersion: string = typeof __HATCH_VERSION__ === 'string' ? __HATCH_VERSION__ : 'dev';
