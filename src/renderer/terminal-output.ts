// One subscription to terminal output for the whole window, fanned out by session id, so
// a batch costs a map lookup and a term.write — no React state, no re-render.
import { api } from './api';

type Sink = (data: string) => void;
const sinks = new Map<string, Sink>();
const early = new Map<string, string[]>();

api.on('terminal.output', ({ sessionId, data }) => {
  const sink = sinks.get(sessionId);
  if (sink) sink(data);
  else {
    // Output can arrive before the tab's terminal mounts: keep it for the terminal.
    const list = early.get(sessionId) ?? [];
    list.push(data);
    early.set(sessionId, list);
  }
});

export function attachTerminalSink(sessionId: string, sink: Sink): () => void {
  sinks.set(sessionId, sink);
  for (const data of early.get(sessionId) ?? []) sink(data);
  early.delete(sessionId);
  return () => {
    if (sinks.get(sessionId) === sink) sinks.delete(sessionId);
  };
}
