// Contract entries of the other ways in: the SSH config writer (Hatch's block in
// ~/.ssh/config, for `hatch ssh-proxy`) and Remote Desktop to Windows nodes. Spread into
// `calls` in contract.ts, so the contract is still declared once.
import { z } from 'zod';

const Profile = z.string().min(1).max(200);
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1');
const NodeId = z.string().regex(/^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/, 'a managed node id such as i-0123456789abcdef0');
const User = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/, 'a user name (letters, digits, _ . -)');

/** A node alias (`ssh web-1`), or every node id of the profile (`Host i-* mi-*`). */
export const SshConfigEntry = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('node'), nodeId: NodeId, alias: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, . _ - (no spaces or wildcards)'), user: User.optional() }).strict(),
  z.object({ kind: z.literal('profile'), user: User.optional() }).strict(),
]);
export type SshConfigEntry = z.infer<typeof SshConfigEntry>;

const SshConfigRequest = z.object({ profile: Profile, region: Region, entry: SshConfigEntry }).strict();

export const SshConfigPreview = z.object({
  path: z.string(),
  before: z.string(),
  after: z.string(),
  changed: z.boolean(),
  /** The file as previewed; saving is refused if it changed since. */
  sha256: z.string(),
});
export type SshConfigPreview = z.infer<typeof SshConfigPreview>;

/** The RDP client Hatch opens, by platform; `none` shows the address to copy. */
const RdpLauncherKind = z.enum(['mstsc', 'windows-app', 'remmina', 'xfreerdp', 'none']);

export const RdpConnection = z.object({
  tunnelId: z.string(),
  /** 127.0.0.1:PORT */
  address: z.string(),
  localPort: z.number().int(),
  /** The .rdp file's text (also written where the launcher reads it). */
  rdpFile: z.string(),
  fileName: z.string(),
  /** Which client was opened; `none` when none was found or the host is a browser. */
  launcher: RdpLauncherKind,
  /** Why no client was opened, for the dialog; null when one was. */
  message: z.string().nullable(),
});
export type RdpConnection = z.infer<typeof RdpConnection>;

export const accessCalls = {
  'ssh.configPreview': { request: SshConfigRequest, response: SshConfigPreview },
  'ssh.configSave': {
    request: SshConfigRequest.extend({ sha256: z.string().max(64) }).strict(),
    response: z.object({ path: z.string(), backupPath: z.string().nullable(), changed: z.boolean() }),
  },
  /** A tunnel to the Windows node's 3389 on a free local port, a generated .rdp file, and the system's RDP client opened on it. */
  'rdp.connect': {
    request: z.object({ profile: Profile, region: Region, nodeId: NodeId, nodeName: z.string().min(1).max(200), user: z.string().max(104).regex(/^[^\r\n;"]*$/, 'no line breaks, quotes or semicolons').optional() }).strict(),
    response: RdpConnection,
  },
} as const;

export const accessEvents = {} as const;
