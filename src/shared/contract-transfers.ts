// Contract entries of the transfers/ service: files to and from a node over a session of
// its own (what `hatch cp` does), driven from the app. A dropped file's bytes come from
// the renderer (File API: the browser host has no paths) in chunks; downloads land in a
// folder main chooses (Downloads). Spread into `calls` and `events` in contract.ts.
import { z } from 'zod';

const Profile = z.string().min(1).max(200);
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1');
const Target = z.string().regex(/^(i-[0-9a-f]{8}([0-9a-f]{9})?|mi-[0-9a-f]{17})$/, 'an instance id');
const TransferId = z.string().uuid();
/** A path on the node as the user typed it (any bytes but NUL; the node scripts quote it). */
const RemotePath = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'no NUL character');
/** The name of one file (no folders). */
const FileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[/\\\0]/.test(n) && n !== '.' && n !== '..', 'a file name, without / or \\');

/** Upload chunks: base64 of at most 1 MiB. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

const TransferState = z.enum(['receiving', 'queued', 'running', 'done', 'failed', 'cancelled']);
type TransferState = z.infer<typeof TransferState>;

export const TransferInfo = z.object({
  id: TransferId,
  direction: z.enum(['upload', 'download']),
  profile: z.string(),
  region: z.string(),
  target: z.string(),
  /** The node's name when known (for the panel), else the id. */
  nodeName: z.string(),
  /** The file's name (what the panel shows). */
  name: z.string(),
  /** Where it goes or comes from on the node. */
  remotePath: z.string(),
  /** Where a download landed (or will), on the machine running Hatch. */
  localPath: z.string().nullable(),
  state: TransferState,
  bytes: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Bytes per second over the last seconds. */
  rate: z.number().nonnegative(),
  /** Bytes that were already there (a resumed part). */
  resumed: z.number().nonnegative(),
  error: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** Browser host: where the browser fetches a finished download (token-protected, same origin). */
  fetchUrl: z.string().nullable(),
});
export type TransferInfo = z.infer<typeof TransferInfo>;

const Node = { profile: Profile, region: Region, target: Target, nodeName: z.string().max(300).optional() };

export const transfersCalls = {
  'transfers.list': { request: z.object({}).strict(), response: z.object({ transfers: z.array(TransferInfo) }) },
  /** Announce an upload; its bytes follow with transfers.uploadChunk, then transfers.uploadEnd starts it. */
  'transfers.uploadBegin': {
    request: z
      .object({ ...Node, remoteDir: RemotePath, name: FileName, size: z.number().int().nonnegative().max(2 ** 45), mode: z.number().int().min(0).max(0o777).optional() })
      .strict(),
    response: TransferInfo,
  },
  'transfers.uploadChunk': {
    request: z
      .object({ transferId: TransferId, offset: z.number().int().nonnegative(), data: z.string().max(Math.ceil(UPLOAD_CHUNK_BYTES / 3) * 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64') })
      .strict(),
    response: z.object({}),
  },
  'transfers.uploadEnd': { request: z.object({ transferId: TransferId }).strict(), response: TransferInfo },
  /** Download a file (or a directory, recursively) into Hatch's downloads folder. */
  'transfers.download': { request: z.object({ ...Node, remotePath: RemotePath }).strict(), response: TransferInfo },
  'transfers.cancel': { request: z.object({ transferId: TransferId }).strict(), response: z.object({}) },
  /** Run a failed or cancelled transfer again (resuming what its part files hold). */
  'transfers.retry': { request: z.object({ transferId: TransferId }).strict(), response: TransferInfo },
  /** Show a finished download in the system's file manager (desktop app); false where there is none. */
  'transfers.reveal': { request: z.object({ transferId: TransferId }).strict(), response: z.object({ shown: z.boolean() }) },
  /** Forget a finished, failed or cancelled transfer (it leaves the panel). */
  'transfers.remove': { request: z.object({ transferId: TransferId }).strict(), response: z.object({}) },
} as const;

export const transfersEvents = {
  /** A transfer started, moved, or ended (progress about 4 times a second). */
  'transfers.changed': z.object({ transfer: TransferInfo }),
} as const;
