// A command loop on a node's shell, over a session of its own. boot() turns the session's
// interactive shell into a quiet loop (raw terminal, no echo, stderr discarded) that runs
// one command per line and answers with reply lines `#HATCH-<nonce> WORD fields…`.
// Downloads switch the reader to data mode between START and the end of the data: the next
// `#` for base64 and hex (neither has one), the next newline for Z85 (which has `#` but no
// whitespace), so finding the end is one indexOf per chunk.
//
// Discipline that makes the terminal binary-safe: nothing is sent while a command might
// read it by mistake — a command line goes out only after the previous one answered, and
// upload data only after its command said READY.
import { randomBytes } from 'node:crypto';
import type { Dialect, NodeTools, Wire } from './dialect';
import { posixDialect } from './posix';

/** The part of a shell session a transfer uses (ShellSession adapts to it; tests use a local pty). */
export interface TransferChannel {
  /** Returns false when the sender is above its high-water mark: wait for onDrain. */
  write(data: Buffer): boolean;
  onData(listener: (data: Buffer) => void): () => void;
  onDrain(listener: () => void): () => void;
  /** Resolves when the session is over, with why. */
  readonly ended: Promise<string>;
  /** Stop / restart delivering output (flow control for downloads). */
  pauseOutput(): void;
  resumeOutput(): void;
  /** Ends the session. */
  close(): Promise<void>;
}

interface Reply {
  word: string;
  fields: string[];
}

/** A failure of the transfer itself (the node said no, or the session ended). */
export class TransferError extends Error {
  constructor(
    message: string,
    /** ENOENT, EACCES, … from the node; 'ENDED' when the session ended; 'TIMEOUT'; 'PROTOCOL'. */
    readonly code: string,
    /** Which end the message's path is on (callers prefix remote ones with the node). */
    readonly side: 'local' | 'remote' | null = null,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

const HASH = 0x23; // '#'
const NEWLINE = 0x0a;
/** A reply line longer than this is not ours (a tree listing of ~100k names fits). */
const MAX_LINE = 64 << 20;

interface DataSink {
  /** START arrived with these fields: returns the byte that ends the data. */
  start(fields: string[]): number;
  /** Encoded bytes between START and the end of the data. */
  data(chunk: Buffer): void;
}

export class RemoteShell {
  private readonly marker: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waiter: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | null = null;
  private readonly queued: Reply[] = [];
  private sink: DataSink | null = null;
  private endedWith: string | null = null;
  private readonly offData: () => void;
  tools: NodeTools | null = null;
  wire: Wire | null = null;

  /** The node's shell language: the platform's, unless start() found another shell. */
  dialect: Dialect;
  /** Waiting for the answer to the shell check (see detectShell). */
  private detector: ((line: string) => void) | null = null;

  constructor(
    readonly channel: TransferChannel,
    dialect: Dialect,
    readonly nonce = randomBytes(6).toString('hex'),
  ) {
    this.dialect = dialect;
    this.marker = Buffer.from(`#HATCH-${nonce} `, 'latin1');
    this.offData = channel.onData((data) => this.receive(data));
    void channel.ended.then((why) => {
      this.endedWith = why;
      this.waiter?.reject(new TransferError(`the session ended: ${why}`, 'ENDED'));
      this.waiter = null;
    });
  }

  /** Boot, probe and define the helpers; resolves with the wire to use. */
  async start(options: { allowCompression: boolean; localZstd: boolean; timeoutMs?: number }): Promise<Wire> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (this.dialect.kind === 'powershell' && (await this.detectShell(timeoutMs)) === 'posix') this.dialect = posixDialect;
    this.channel.write(Buffer.from(this.dialect.boot(this.nonce), 'utf8'));
    const boot = await this.next(timeoutMs, 'the node’s shell to start the transfer loop');
    if (boot.word !== 'BOOT') throw new TransferError(`unexpected answer ${boot.word} to the boot line`, 'PROTOCOL');
    if (boot.fields[0] !== '0') throw new TransferError('the node’s terminal could not be put in raw mode (stty failed)', 'ETOOL');
    const probe = await this.command(this.dialect.probe(), timeoutMs);
    if (probe.word !== 'PROBE') throw new TransferError(`unexpected answer ${probe.word} to the probe`, 'PROTOCOL');
    this.tools = this.dialect.parseProbe(probe.fields);
    const chosen = this.dialect.chooseWire(this.tools, { zstd: options.localZstd }, options.allowCompression);
    if ('missing' in chosen) throw new TransferError(`the node has no ${chosen.missing}`, 'ETOOL');
    this.wire = chosen.wire;
    const ok = await this.command(this.dialect.prelude(this.tools, chosen.wire), timeoutMs);
    if (ok.word !== 'OK') throw new TransferError(`unexpected answer ${ok.word} to the prelude`, 'PROTOCOL');
    return chosen.wire;
  }

  /**
   * Which shell the session runs. A Windows node's sessions may start a POSIX shell (a shell
   * profile that runs bash; the sandbox's Windows nodes), where PowerShell's boot line would
   * only wait out the timeout: one line both read tells them apart, as `$?` is True/False in
   * PowerShell and a number in sh. The echo of the line holds `$?` itself, never an answer.
   */
  private detectShell(timeoutMs: number): Promise<'posix' | 'powershell'> {
    const answer = new RegExp(`HATCH-${this.nonce}-(\\d+|True|False)(?![\\w$?])`);
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, kind?: 'posix' | 'powershell') => {
        clearTimeout(timer);
        this.detector = null;
        if (error) reject(error);
        else resolve(kind!);
      };
      const timer = setTimeout(
        () => done(new TransferError(`no answer after ${Math.round(timeoutMs / 1000)} s from the node’s shell (neither PowerShell nor sh answered)`, 'TIMEOUT')),
        timeoutMs,
      );
      void this.channel.ended.then((why) => done(new TransferError(`the session ended: ${why}`, 'ENDED')));
      this.detector = (line) => {
        const match = answer.exec(line);
        if (match) done(null, /^\d+$/.test(match[1]) ? 'posix' : 'powershell');
      };
      this.channel.write(Buffer.from(`echo "HATCH-${this.nonce}-$?"\r`, 'utf8'));
    });
  }

  /** Send one command line and wait for its first reply. */
  async command(line: string, timeoutMs = 120_000): Promise<Reply> {
    if (line.includes('\n')) throw new Error('a command is one line');
    this.send(Buffer.from(`${line}\n`, 'utf8'));
    return this.next(timeoutMs, 'the node to answer');
  }

  /** The next reply line (of the command running now). */
  next(timeoutMs = 120_000, what = 'the node to answer'): Promise<Reply> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    if (this.endedWith !== null) return Promise.reject(new TransferError(`the session ended: ${this.endedWith}`, 'ENDED'));
    return new Promise<Reply>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.waiter = null;
              reject(new TransferError(`no answer after ${Math.round(timeoutMs / 1000)} s while waiting for ${what}`, 'TIMEOUT'));
            }, timeoutMs)
          : null;
      this.waiter = {
        resolve: (reply) => {
          if (timer) clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Raw bytes to the node (upload data lines); false means wait for drain(). */
  send(data: Buffer): boolean {
    if (this.endedWith !== null) throw new TransferError(`the session ended: ${this.endedWith}`, 'ENDED');
    return this.channel.write(data);
  }

  /** Resolves when the channel can take more (or the session ended). */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      let off: () => void = () => undefined;
      const done = () => {
        off();
        resolve();
      };
      off = this.channel.onDrain(done);
      void this.channel.ended.then(done);
    });
  }

  /** From the next START on, encoded bytes go to `sink` until the end marker. */
  expectData(sink: DataSink): void {
    this.sink = sink;
    this.dataMode = false;
  }

  get ended(): string | null {
    return this.endedWith;
  }

  async close(): Promise<void> {
    this.offData();
    await this.channel.close();
  }

  // ── Parsing ─────────────────────────────────────────────────────────────────────

  /** True between START and the end of the data (bytes go to the sink). */
  private dataMode = false;
  /** The byte that ends the data (the sink says, from START's fields). */
  private dataEnd = HASH;

  private receive(data: Buffer): void {
    let chunk = data;
    while (chunk.length > 0) {
      if (this.dataMode) {
        const end = chunk.indexOf(this.dataEnd);
        if (end < 0) {
          this.sink?.data(chunk);
          return;
        }
        if (end > 0) this.sink?.data(chunk.subarray(0, end));
        this.dataMode = false;
        this.sink = null;
        chunk = chunk.subarray(end);
        continue;
      }
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes > MAX_LINE) this.dropPending();
        return;
      }
      const line = this.pending.length ? Buffer.concat([...this.pending, chunk.subarray(0, newline)]) : chunk.subarray(0, newline);
      this.pending = [];
      this.pendingBytes = 0;
      chunk = chunk.subarray(newline + 1);
      this.line(line);
    }
  }

  private dropPending(): void {
    // Noise (a MOTD, the echo of the boot line) is never kept past a line's worth.
    this.pending = [];
    this.pendingBytes = 0;
  }

  private line(line: Buffer): void {
    if (this.detector) {
      this.detector(line.toString('latin1'));
      return;
    }
    const at = line.indexOf(this.marker);
    if (at < 0) return; // not ours: prompt, echo, banner
    const text = line.subarray(at + this.marker.length).toString('utf8').replace(/\r$/, '');
    const [word = '', ...fields] = text.split(' ');
    if (word === 'START' && this.sink) {
      this.dataEnd = this.sink.start(fields);
      this.dataMode = true;
    }
    const reply: Reply = { word, fields };
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(reply);
    } else this.queued.push(reply);
  }
}

/** Hex (from the node's od) back to the bytes it encodes. */
export function fromHex(hex: string): Buffer {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new TransferError('the node sent a malformed name', 'PROTOCOL');
  return Buffer.from(hex, 'hex');
}
