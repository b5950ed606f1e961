// A loopback echo server (a "remote port" behind a tunnel) and a client that sends a
// payload through a local port and collects the echo.
import net from 'node:net';

export async function startEchoServer(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

/** Sends `payload` to 127.0.0.1:port and resolves with the first payload.length bytes back. */
export function echoThrough(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let size = 0;
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      size += d.length;
      if (size >= payload.length) {
        socket.end();
        resolve(Buffer.concat(parts));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => size < payload.length && reject(new Error(`connection closed after ${size} of ${payload.length} bytes`)));
    socket.write(payload);
  });
}
