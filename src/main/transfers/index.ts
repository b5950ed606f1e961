// The transfers service's engine: scripts per node shell (dialects), the command loop on a
// node's session (RemoteShell), and uploads/downloads of files and trees with resume.
import type { Dialect } from './dialect';
import { posixDialect } from './posix';
import { powershellDialect } from './powershell';

export { RemoteShell, TransferError, type TransferChannel } from './remote-shell';
export { download, upload, localZstd, partName, type TransferOptions, type TransferProgress, type TransferResult } from './transfer';
export { shellChannel } from './shell-channel';
export { posixDialect } from './posix';
export { powershellDialect } from './powershell';

/** The node's shell language, from its platform (SSM's PlatformType). */
export function dialectFor(platformType: string | null): Dialect {
  return platformType === 'Windows' ? powershellDialect : posixDialect;
}
