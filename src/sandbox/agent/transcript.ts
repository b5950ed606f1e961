// Session transcript (stands in for S3/CloudWatch logging): input and output appended as they pass.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export class Transcript {
  private stream: WriteStream | undefined;

  constructor(file: string | undefined) {
    if (!file) return;
    mkdirSync(path.dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: 'a' });
    // A logging failure must not take the session down.
    this.stream.on('error', () => {
      this.stream = undefined;
    });
  }

  write(data: Buffer): void {
    if (this.stream && data.length > 0) this.stream.write(data);
  }

  close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
