// bench/_forwarder.ts — the minimal forwarder that `bench echo` measures the plugin CLI
// against: stdin → one input_stream_data frame per read → the socket; output frames →
// acknowledgement + stdout. No window, no retransmission, no resume: the least a client can
// do per key. Reads the StartSession response from HATCH_FWD_RESPONSE.
import WebSocket from 'ws';
import { decodeMessage, encodeAcknowledge, encodeMessage, MessageType, PayloadType } from '../src/protocol/codec';
import { encodeOpenDataChannel } from '../src/protocol/payloads';
import { randomUUID } from 'node:crypto';

const r = JSON.parse(process.env.HATCH_FWD_RESPONSE ?? '{}') as { StreamUrl: string; TokenValue: string };
const ws = new WebSocket(r.StreamUrl, { perMessageDeflate: false });
let seq = 0;
ws.on('open', () => {
  ws.send(encodeOpenDataChannel({ tokenValue: r.TokenValue, clientId: randomUUID(), clientVersion: '1.2.677.0' }));
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', (d: Buffer) => ws.send(encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq++, payloadType: PayloadType.Output, payload: d })));
});
ws.on('message', (data: Buffer) => {
  const m = decodeMessage(data);
  if (m.messageType === MessageType.OutputStreamData) {
    ws.send(encodeAcknowledge(m));
    if (m.payloadType === PayloadType.Output) process.stdout.write(m.payload);
  } else if (m.messageType === MessageType.ChannelClosed) process.exit(0);
});
ws.on('close', () => process.exit(0));
