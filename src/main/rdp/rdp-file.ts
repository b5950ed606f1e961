// The .rdp file Hatch hands to the system's Remote Desktop client: the tunnel's local
// address, and the user name when one is given. Values are checked where they are written.

interface RdpFileOptions {
  /** 127.0.0.1:PORT — the local end of the tunnel to the node's 3389. */
  address: string;
  /** DOMAIN\user or user; the client asks for the password. */
  user?: string;
}

const ADDRESS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost):\d{1,5}$/;
const USER = /^[^\r\n\0;"]{1,104}$/;

/** The .rdp text (CRLF lines, as Windows writes them). */
export function rdpFileText({ address, user }: RdpFileOptions): string {
  if (!ADDRESS.test(address)) throw new Error(`"${address}" is not a loopback address:port for an .rdp file.`);
  if (user !== undefined && user !== '' && !USER.test(user)) throw new Error('The user name cannot hold line breaks, quotes or semicolons.');
  const lines = [
    `full address:s:${address}`,
    ...(user ? [`username:s:${user}`] : []),
    'prompt for credentials:i:1',
    'administrative session:i:0',
    'screen mode id:i:1',
    'desktopwidth:i:1440',
    'desktopheight:i:900',
    'session bpp:i:32',
    'redirectclipboard:i:1',
    // The tunnel is the only way in: the client must not go looking for a gateway.
    'gatewayusagemethod:i:0',
    'authentication level:i:2',
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name from the node's name: letters, digits, - and _ only. */
export function rdpFileName(nodeName: string, port: number): string {
  const base = nodeName.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'node';
  return `${base}-${port}.rdp`;
}
