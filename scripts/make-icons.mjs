// Generates the app icons from assets/icon.svg; the outputs are committed, so run this only
// after changing the SVG:  node scripts/make-icons.mjs
//
//   assets/icons/<N>x<N>.png  16…1024  Linux (electron-builder's icon folder), tray, window icon
//   assets/icon.ico                    Windows: PNG entries 16…256
//   assets/icon.icns                   macOS: PNG entries icp4–icp6, ic07–ic14
//
// PNGs are rasterized from the SVG at each exact size by headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM), so small sizes are rendered, not downscaled. The macOS
// set is drawn inset on a transparent canvas (Apple's grid: an 824-unit body on 1024), the
// others full-bleed. The ICO and ICNS containers are written here: both are a small header
// plus the PNG files as they are.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';

const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// OSType → pixel size; ic11–ic14 are the @2x variants of 16, 32, 128 and 256.
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];
const MAC_INSET = (1024 - 824) / 2 / 1024;

function render(work, size, inset) {
  // Inline, not <img src>: the screenshot is taken at load, before an image would decode.
  const svg = readFileSync(path.join(assets, 'icon.svg'), 'utf8').replace(/<\?xml[^>]*>/, '');
  const pad = `${(inset * 100).toFixed(4)}vw`;
  const html = path.join(work, `icon-${size}-${inset ? 'mac' : 'plain'}.html`);
  writeFileSync(
    html,
    `<!doctype html><html><head><style>html,body{margin:0;background:transparent;overflow:hidden}` +
      `div{box-sizing:border-box;width:100vw;height:100vh;padding:${pad}}svg{display:block;width:100%;height:100%}</style></head>` +
      `<body><div>${svg}</div></body></html>`,
  );
  const out = path.join(work, `icon-${size}-${inset ? 'mac' : 'plain'}.png`);
  const args = [
    '--headless',
    '--disable-gpu',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    '--default-background-color=00000000',
    `--window-size=${size},${size}`,
    `--screenshot=${out}`,
    pathToFileURL(html).href,
  ];
  // Chromium refuses to start as root with its sandbox on (CI containers run as root).
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  // The profile goes to a throwaway home. (Not --user-data-dir: with it, Debian's Chromium
  // rendered some sizes blank.)
  const home = path.join(work, 'home');
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') };
  execFileSync(chromium, args, { stdio: 'ignore', timeout: 60_000, env });
  const png = readFileSync(out);
  const [width, height] = pngSize(png);
  if (width !== size || height !== size) throw new Error(`Chromium rendered ${width}x${height} for ${size}x${size}`);
  if (isBlank(png)) throw new Error(`Chromium rendered a blank ${size}x${size} image`);
  return png;
}

// A fully transparent image filters to all-zero rows; anything drawn leaves non-zero bytes.
function isBlank(png) {
  const idat = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + png.readUInt32BE(16) * 4;
  return raw.every((byte, i) => byte === 0 || i % stride === 0);
}

function pngSize(png) {
  if (png.readUInt32BE(0) !== 0x89504e47 || png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** ICO: ICONDIR (6 bytes), one 16-byte ICONDIRENTRY per image, then the PNGs. */
export function encodeIco(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map(({ png }) => png)]);
}

/** ICNS: 'icns' + total length, then per image its OSType + length (header included) + PNG. */
export function encodeIcns(entries) {
  const chunks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((sum, chunk) => sum + chunk.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'hatch-icons-'));
  try {
    const plain = new Map();
    const mac = new Map();
    for (const size of LINUX_SIZES) plain.set(size, render(work, size, 0));
    for (const size of new Set(ICNS_TYPES.map(([, size]) => size))) mac.set(size, render(work, size, MAC_INSET));

    const iconsDir = path.join(assets, 'icons');
    mkdirSync(iconsDir, { recursive: true });
    for (const [size, png] of plain) writeFileSync(path.join(iconsDir, `${size}x${size}.png`), png);
    writeFileSync(path.join(assets, 'icon.ico'), encodeIco(ICO_SIZES.map((size) => ({ size, png: plain.get(size) }))));
    writeFileSync(path.join(assets, 'icon.icns'), encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: mac.get(size) }))));
    console.log(`Wrote assets/icons/{${LINUX_SIZES.join(',')}}, assets/icon.ico (${ICO_SIZES.length} sizes), assets/icon.icns (${ICNS_TYPES.length} entries).`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
