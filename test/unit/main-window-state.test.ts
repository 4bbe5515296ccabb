import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, isReachable, readWindowState, writeWindowState, type Rect, type WindowState } from '../../src/main/window-state.js';
import { tempDir } from '../helpers/openssl.js';

const tmp = tempDir('certbench-window-');
afterAll(() => tmp.cleanup());

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1080 };
const rightScreen: Rect = { x: 1920, y: 0, width: 2560, height: 1440 };

describe('window state', () => {
  const cases: { name: string; input: { saved: unknown; displays: Rect[] }; want: WindowState }[] = [
    { name: 'restored where it was', input: { saved: { x: 100, y: 80, width: 1200, height: 800, maximized: false }, displays: [laptop] }, want: { x: 100, y: 80, width: 1200, height: 800, maximized: false } },
    { name: 'restored on a second screen that is still there', input: { saved: { x: 2200, y: 100, width: 1400, height: 900, maximized: true }, displays: [laptop, rightScreen] }, want: { x: 2200, y: 100, width: 1400, height: 900, maximized: true } },
    { name: 'the default placement when that screen is gone', input: { saved: { x: 2200, y: 100, width: 1400, height: 900, maximized: true }, displays: [laptop] }, want: { ...DEFAULT_WINDOW_STATE, maximized: true } },
    { name: 'the default when the title bar is off the top', input: { saved: { x: 100, y: -900, width: 1200, height: 800, maximized: false }, displays: [laptop] }, want: DEFAULT_WINDOW_STATE },
    { name: 'the default when only a sliver is on screen', input: { saved: { x: 1880, y: 100, width: 1200, height: 800, maximized: false }, displays: [laptop] }, want: DEFAULT_WINDOW_STATE },
    { name: 'the default for a window too small to use', input: { saved: { x: 0, y: 0, width: 200, height: 100, maximized: false }, displays: [laptop] }, want: DEFAULT_WINDOW_STATE },
    { name: 'the default for values that are not numbers', input: { saved: { x: '0', y: 0, width: 1200, height: 800 }, displays: [laptop] }, want: DEFAULT_WINDOW_STATE },
    { name: 'the default for a file that is not an object', input: { saved: [1, 2, 3], displays: [laptop] }, want: DEFAULT_WINDOW_STATE },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.name, () => {
      const file = tmp.path(`state-${i}.json`);
      writeFileSync(file, JSON.stringify(c.input.saved));
      expect(readWindowState(file, c.input.displays)).toEqual(c.want);
    });
  }

  it('gives the default for a missing or broken file', () => {
    expect(readWindowState(tmp.path('missing.json'), [laptop])).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(tmp.path('broken.json'), '{"x": 1,');
    expect(readWindowState(tmp.path('broken.json'), [laptop])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('writes what it reads back, creating the folder', () => {
    const file = tmp.path('new/sub/window-state.json');
    const state = { x: 10, y: 20, width: 1000, height: 700, maximized: true };
    writeWindowState(file, state);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(state);
    expect(readWindowState(file, [laptop])).toEqual(state);
  });

  it('reports a failed write instead of throwing', () => {
    writeFileSync(tmp.path('a-file'), 'x');
    const lines: string[] = [];
    writeWindowState(tmp.path('a-file/window-state.json'), DEFAULT_WINDOW_STATE, (l) => lines.push(l));
    expect(lines).toEqual([expect.stringMatching(/could not save the window state/)]);
  });

  it('needs a grabbable part of the top edge on some display', () => {
    expect(isReachable({ x: -1100, y: 0, width: 1200, height: 800 }, [laptop])).toBe(false);
    expect(isReachable({ x: -1000, y: 0, width: 1200, height: 800 }, [laptop])).toBe(true);
  });
});
