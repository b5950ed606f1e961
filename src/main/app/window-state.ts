// The main window's size and position, kept in the settings between runs. Saved bounds
// are used only while they still land on a connected display (a laptop undocked from its
// external monitor must not open Hatch off-screen).
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  bounds: Rectangle | null;
  maximized: boolean;
}

/** How much of the window must be on a display for the saved position to be kept. */
const MIN_VISIBLE = 96;

/**
 * The bounds to open with: the saved ones, shrunk to fit the display they are on, or
 * undefined (let the OS place a default-size window) when no display shows enough of them.
 */
export function restoreBounds(saved: Rectangle | null, workAreas: Rectangle[]): Rectangle | undefined {
  if (!saved) return undefined;
  const area = workAreas.find((wa) => overlap(saved, wa) >= MIN_VISIBLE * MIN_VISIBLE && visibleTitleBar(saved, wa));
  if (!area) return undefined;
  const width = Math.min(saved.width, area.width);
  const height = Math.min(saved.height, area.height);
  const x = clamp(saved.x, area.x, area.x + area.width - width);
  const y = clamp(saved.y, area.y, area.y + area.height - height);
  return { x, y, width, height };
}

function overlap(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

// The top edge (where the title bar is) must be inside the area, or the window cannot be dragged.
function visibleTitleBar(window: Rectangle, area: Rectangle): boolean {
  return window.y >= area.y && window.y < area.y + area.height - 32;
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(value, max));
}

/**
 * Save the window's normal bounds and maximized flag: debounced while it moves or resizes,
 * at once when it closes. Returns a function that stops tracking.
 */
export function trackWindowState(window: BrowserWindow, save: (state: WindowState) => void, delayMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const snapshot = (): WindowState => ({
    // Normal bounds, so a maximized or full-screen window reopens at its restored size.
    bounds: window.getNormalBounds(),
    maximized: window.isMaximized(),
  });
  const saveNow = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!window.isDestroyed() && !window.isMinimized()) save(snapshot());
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(saveNow, delayMs);
  };
  const events = ['resize', 'move', 'maximize', 'unmaximize'] as const;
  for (const name of events) window.on(name as 'resize', saveSoon);
  window.on('close', saveNow);
  return () => {
    clearTimeout(timer);
    for (const name of events) window.removeListener(name as 'resize', saveSoon);
    window.removeListener('close', saveNow);
  };
}
