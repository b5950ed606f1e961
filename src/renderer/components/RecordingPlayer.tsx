// Plays a local recording (asciicast v2) back in an xterm, with pause, speed and
// "show all". Long pauses are shortened to two seconds, as asciinema players do.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import type { Recording } from '../../shared/domain/audit';
import { api } from '../api';
import { errorText } from './view-helpers';
import { Modal } from '../ui/Modal';
import { useAppStore } from '../stores/app-store';
import { withNodeNames } from '../names';

const SPEEDS = [0.5, 1, 2, 4, 8, 16];
const MAX_GAP_S = 2;

export function RecordingPlayer({ id, onClose }: { id: string; onClose(): void }) {
  // A state ref: the dialog's content mounts after this component (it is portalled).
  const [host, setHost] = useState<HTMLDivElement | null>(null);
  const term = useRef<Terminal | null>(null);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [speed, setSpeed] = useState(2);
  const [playing, setPlaying] = useState(true);
  const [position, setPosition] = useState(0); // index of the next event
  const [elapsed, setElapsed] = useState(0);

  useEffect(() => {
    let live = true;
    api.call('recordings.read', { id }).then(
      (r) => live && setRecording(r),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    if (!recording || !host) return;
    const t = new Terminal({ cols: recording.width, rows: recording.height, fontFamily: "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace", fontSize: 12, disableStdin: true, scrollback: 5000 });
    t.open(host);
    term.current = t;
    return () => {
      term.current = null;
      t.dispose();
    };
  }, [recording, host]);

  // Play: write the next event after its (shortened, sped-up) delay.
  useEffect(() => {
    if (!recording || !playing || position >= recording.events.length) return;
    const [time, kind, data] = recording.events[position];
    const previous = position === 0 ? 0 : recording.events[position - 1][0];
    const gap = Math.min(Math.max(0, time - previous), MAX_GAP_S) / speed;
    const timer = setTimeout(() => {
      apply(term.current, kind, data);
      setElapsed(time);
      setPosition(position + 1);
    }, gap * 1000);
    return () => clearTimeout(timer);
  }, [recording, playing, position, speed]);

  const showAll = () => {
    if (!recording) return;
    for (const [, kind, data] of recording.events.slice(position)) apply(term.current, kind, data);
    setElapsed(recording.duration);
    setPosition(recording.events.length);
  };
  const restart = () => {
    term.current?.reset();
    setElapsed(0);
    setPosition(0);
    setPlaying(true);
  };
  const done = recording !== null && position >= recording.events.length;

  return (
    <Modal title={`Recording ${recording?.title ? `· ${withNodeNames(useAppStore.getState(), recording.title)}` : ''}`} label={`Recording ${recording?.title ?? id}`} size="player" onClose={onClose}>
        {error && (
          <div className="inline-error" role="alert">
            {error}
          </div>
        )}
        <div className="player-controls">
          <button type="button" disabled={!recording || done} onClick={() => setPlaying((p) => !p)}>
            {playing && !done ? 'Pause' : 'Play'}
          </button>
          <button type="button" disabled={!recording} onClick={restart}>
            Restart
          </button>
          <button type="button" disabled={!recording} onClick={showAll}>
            Show all
          </button>
          <label htmlFor="player-speed">Speed</label>
          <select id="player-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
          <span className="dim mono" role="status" aria-label="Playback position">
            {elapsed.toFixed(1)} s / {(recording?.duration ?? 0).toFixed(1)} s{done ? ' · ended' : ''}
          </span>
          {recording?.truncated && <span className="dim small">Only the first 16 MB are replayed.</span>}
          <span className="titlebar-spacer" />
          <button type="button" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
        <div className="player-screen" ref={setHost} aria-label="Recorded terminal" />
    </Modal>
  );
}

function apply(t: Terminal | null, kind: string, data: string): void {
  if (!t) return;
  if (kind === 'o') t.write(data);
  else if (kind === 'r') {
    const m = /^(\d+)x(\d+)$/.exec(data);
    if (m) t.resize(Math.max(2, Number(m[1])), Math.max(1, Number(m[2])));
  }
}
