// A WebSocket client written byte by byte, for sending what a well-behaved library never
// would: bad opcodes, lying lengths, invalid UTF-8, unmasked frames, plain garbage.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawFrame {
  fin?: boolean;
  /** The three reserved bits, 0–7. */
  rsv?: number;
  opcode: number;
  payload: Buffer;
  /** Clients must mask; false sends the payload in clear. */
  mask?: boolean;
  /** Declare this payload length instead of the real one (a lie). */
  declaredLength?: number;
}

/** One frame's bytes as RFC 6455 lays them out (or as the caller wants it mis-laid). */
export function encodeFrame(frame: RawFrame): Buffer {
  const length = frame.declaredLength ?? frame.payload.length;
  const mask = frame.mask ?? true;
  const head: number[] = [((frame.fin ?? true) ? 0x80 : 0) | ((frame.rsv ?? 0) << 4) | (frame.opcode & 0x0f)];
  if (length < 126) head.push((mask ? 0x80 : 0) | length);
  else if (length < 65536) head.push((mask ? 0x80 : 0) | 126, length >> 8, length & 0xff);
  else {
    head.push((mask ? 0x80 : 0) | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), frame.payload]);
  const key = randomBytes(4);
  const body = Buffer.from(frame.payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

export interface RawConnection {
  socket: net.Socket;
  /** The status line and headers of the handshake answer. */
  response: string;
  /** Resolves with the close code the server sent (0: no close frame), once the socket ends. */
  closed: Promise<number>;
  /** Text frames received so far. */
  texts: string[];
}

/** Opens a TCP connection and performs the client handshake with the given headers. */
export function rawUpgrade(port: number, headers: Record<string, string>, target = '/ws'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const texts: string[] = [];
    let buffered = Buffer.alloc(0);
    let response: string | null = null;
    let closeCode = 0;
    const closed = new Promise<number>((done) => socket.once('close', () => done(closeCode)));
    socket.on('error', () => undefined); // resets are expected in these tests
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (response === null) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        response = buffered.subarray(0, end).toString('latin1');
        buffered = buffered.subarray(end + 4);
        resolve({ socket, response, closed, texts });
      }
      // Server frames: unmasked, 7/16/64-bit lengths.
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = buffered[0] & 0x0f;
        let length = buffered[1] & 0x7f;
        let at = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          at = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          at = 10;
        }
        if (buffered.length < at + length) return;
        const payload = buffered.subarray(at, at + length);
        if (opcode === 0x8) closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        else if (opcode === 0x1) texts.push(payload.toString('utf8'));
        buffered = buffered.subarray(at + length);
      }
    });
    socket.once('close', () => {
      if (response === null) reject(new Error('the connection closed before the handshake answer'));
    });
    socket.once('connect', () => {
      const lines = [`GET ${target} HTTP/1.1`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`];
      for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
  });
}
