import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A rectangle in screen coordinates (a display's work area, a window's bounds). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the window was and whether it was maximized; x/y absent means "let the OS place it". */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** The first-run size. */
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 860, maximized: false };
/** The smallest window the workbench lays out in. */
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;
// Enough of the title bar on a display to grab and move the window.
const GRAB_WIDTH = 120;
const GRAB_HEIGHT = 40;

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000;
}

/** True when enough of the window's top edge lies on one of the displays to grab it. */
export function isReachable(bounds: Rect, workAreas: Rect[]): boolean {
  return workAreas.some((a) => {
    const left = Math.max(bounds.x, a.x);
    const right = Math.min(bounds.x + bounds.width, a.x + a.width);
    const top = Math.max(bounds.y, a.y);
    const bottom = Math.min(bounds.y + GRAB_HEIGHT, a.y + a.height);
    return right - left >= GRAB_WIDTH && bottom - top >= GRAB_HEIGHT / 2;
  });
}

/**
 * The saved window state, restored only where it lands on a display that exists now (a laptop off
 * its second screen gets the default placement); anything unreadable gives the default.
 */
export function readWindowState(file: string, workAreas: Rect[]): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_WINDOW_STATE };
  const s = raw as Record<string, unknown>;
  const maximized = s['maximized'] === true;
  const { x, y, width, height } = s;
  if (!isInt(width) || !isInt(height) || width < MIN_WIDTH || height < MIN_HEIGHT) return { ...DEFAULT_WINDOW_STATE, maximized };
  if (!isInt(x) || !isInt(y) || !isReachable({ x, y, width, height }, workAreas)) return { ...DEFAULT_WINDOW_STATE, maximized };
  return { x, y, width, height, maximized };
}

/** Saves the window state; a failure only costs the placement next time, so it is reported, not thrown. */
export function writeWindowState(file: string, state: WindowState, log: (line: string) => void = () => {}): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(state)}\n`);
  } catch (e) {
    log(`certbench: could not save the window state: ${e instanceof Error ? e.message : String(e)}`);
  }
}
