// One data-channel WebSocket as the protocol channel sees it, with fault injection on the
// frames in both directions.
import WebSocket from 'ws';
import type { ChannelSocket } from '../../protocol/channel';
import type { DataChannelFaults } from '../agent-api';
import { FaultyPipe, type FaultStats } from './faults';

export function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export class FaultySocket implements ChannelSocket {
  private readonly out: FaultyPipe;
  private readonly in: FaultyPipe;
  private onMsg: ((frame: Buffer) => void) | undefined;
  private onClosed: ((err?: Error) => void) | undefined;
  private closed = false;
  /** Half-open until this performance.now(): frames both ways vanish, pings go unanswered. */
  private stalledUntil = 0;

  constructor(
    readonly ws: WebSocket,
    faults: () => DataChannelFaults,
    stats: FaultStats,
    random: () => number = Math.random,
    /** The upgraded connection under `ws` (ours from the HTTP upgrade): corked per batch of frames. */
    raw?: { cork(): void; uncork(): void },
  ) {
    let corked = false;
    const uncork = () => {
      corked = false;
      raw?.uncork();
    };
    this.out = new FaultyPipe(
      faults,
      stats,
      (f) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (raw && !corked) {
          // One writev per tick for all acknowledgements and output, not a syscall per frame.
          raw.cork();
          corked = true;
          process.nextTick(uncork);
        }
        ws.send(f, { binary: true });
      },
      random,
    );
    this.in = new FaultyPipe(faults, stats, (f) => this.onMsg?.(f), random);
    // The reference decodes text frames like binary ones (spec 3.3).
    ws.on('message', (data) => {
      if (this.stalled) stats.stalledFrames++;
      else this.in.push(toBuffer(data));
    });
    // The server is created with autoPong off, so a stalled socket can stay silent.
    ws.on('ping', (data) => {
      if (!this.stalled && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    this.stats = stats;
    ws.on('close', () => this.closedNow());
    ws.on('error', (err) => this.closedNow(err));
  }

  private closedNow(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.out.dispose();
    this.in.dispose();
    this.onClosed?.(err);
  }

  send(frame: Buffer): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) throw new Error('data channel socket is not open');
    if (this.stalled) {
      this.stats.stalledFrames++;
      return;
    }
    this.out.push(frame);
  }

  private readonly stats: FaultStats;

  get stalled(): boolean {
    // Asked for every frame: no clock read unless a stall was ever begun.
    if (this.stalledUntil === 0) return false;
    if (this.stalledUntil > performance.now()) return true;
    this.stalledUntil = 0;
    return false;
  }

  /** Half-open for `ms` real milliseconds: the socket stays open and carries nothing. */
  stall(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, performance.now() + ms);
  }

  /** Service messages (channel_closed) are not subject to injected faults. */
  sendDirect(frame: Buffer): Promise<void> {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN || this.stalled) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(frame, { binary: true }, () => resolve()));
  }

  onMessage(cb: (frame: Buffer) => void): void {
    this.onMsg = cb;
  }

  onClose(cb: (err?: Error) => void): void {
    this.onClosed = cb;
  }

  /** Drop the connection without a close handshake, as a network failure would. */
  cut(): void {
    this.ws.terminate();
    this.closedNow();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    else this.ws.terminate();
    this.closedNow();
  }
}
