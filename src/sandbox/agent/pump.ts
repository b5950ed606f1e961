// Output pacing between a plugin and the channel. With pacing on, like the real agent:
// at most 1024 bytes per message and a 1 ms pause after each (spec 9.6). Shell output is
// cut on UTF-8 boundaries; the channel never re-cuts it because pieces fit its limit.
import type { DataChannel } from '../../protocol/channel';
import { PayloadType } from '../../protocol/codec';
import { completeUtf8Length } from './utf8';

const PACED_MESSAGE_SIZE = 1024;
/** Output that is one byte stream (joined into full messages); flags and exit codes stay whole. */
const MERGEABLE = new Set<PayloadType>([PayloadType.Output, PayloadType.StdErr]);
const UNPACED_MESSAGE_SIZE = 16 * 1024;
/** Plugin output queued here above this makes the plugin stop reading; below LOW it resumes. */
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 * 1024;

interface Item {
  type: PayloadType;
  buf: Buffer;
}

export class OutputPump {
  private readonly q: Item[] = [];
  private qBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private blocked = false;
  private pressured = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  readonly maxMessage: number;

  constructor(
    private readonly channel: DataChannel,
    private readonly pacing: boolean,
    private readonly utf8Safe: boolean,
    private readonly onPressure: (high: boolean) => void,
  ) {
    this.maxMessage = pacing ? PACED_MESSAGE_SIZE : UNPACED_MESSAGE_SIZE;
    channel.on('drain', () => {
      this.blocked = false;
      this.kick();
    });
  }

  push(type: PayloadType, buf: Buffer): void {
    if (this.stopped || buf.length === 0) return;
    this.q.push({ type, buf });
    this.qBytes += buf.length;
    if (!this.pressured && this.qBytes > HIGH_WATER) {
      this.pressured = true;
      this.onPressure(true);
    }
    this.kick();
  }

  get queuedBytes(): number {
    return this.qBytes;
  }

  /** Resolves when everything pushed so far was handed to the channel. */
  drained(): Promise<void> {
    if (this.q.length === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.q.length = 0;
    this.qBytes = 0;
    this.settle();
  }

  private kick(): void {
    if (this.stopped || this.blocked || this.timer) return;
    if (this.pacing) {
      this.step();
      return;
    }
    while (this.q.length && !this.blocked && !this.stopped) this.sendOne();
    this.settle();
  }

  private step(): void {
    this.timer = undefined;
    if (this.stopped || this.blocked || this.q.length === 0) {
      this.settle();
      return;
    }
    this.sendOne();
    this.settle();
    if (this.q.length && !this.blocked) this.timer = setTimeout(() => this.step(), 1);
  }

  private sendOne(): void {
    this.fill();
    const head = this.q[0];
    let piece = head.buf;
    if (piece.length > this.maxMessage) {
      let n = this.maxMessage;
      if (this.utf8Safe && head.type !== PayloadType.Flag && head.type !== PayloadType.ExitCode) {
        n = completeUtf8Length(piece.subarray(0, this.maxMessage)) || this.maxMessage;
      }
      piece = piece.subarray(0, n);
      head.buf = head.buf.subarray(n);
    } else {
      this.q.shift();
    }
    this.qBytes -= piece.length;
    if (!this.channel.send(head.type, piece)) this.blocked = true;
  }

  /**
   * Tops the head up to a full message from the output queued behind it, as the agent's
   * reader gets up to 1024 bytes of whatever the pty holds: the pty's own reads (which can
   * end a byte past a message) do not make short messages while more output is waiting.
   */
  private fill(): void {
    const head = this.q[0];
    if (head.buf.length >= this.maxMessage || !MERGEABLE.has(head.type)) return;
    let bytes = head.buf.length;
    let count = 1;
    while (count < this.q.length && bytes < this.maxMessage && this.q[count].type === head.type) bytes += this.q[count++].buf.length;
    if (count === 1) return;
    const parts = this.q.splice(0, count);
    this.q.unshift({ type: head.type, buf: Buffer.concat(parts.map((p) => p.buf), bytes) });
  }

  private settle(): void {
    if (this.pressured && this.qBytes < LOW_WATER) {
      this.pressured = false;
      this.onPressure(false);
    }
    if (this.q.length === 0 && this.idleWaiters.length) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const fn of w) fn();
    }
  }
}
