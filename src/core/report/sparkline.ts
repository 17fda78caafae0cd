import type { FiveXXCurve } from '../figures.js';
import { formatDuration } from '../time.js';

// The 5xx curve as one line of text, for Slack and the terminal alike: a bar per minute, with
// the deploy (D), the first new error (E) and the first 5xx (X) written in before the minute
// they fall in, so "it started with the deploy" reads at a glance. The legend gives their times,
// the later two relative to the deploy when it came first.

const BARS = '▂▃▄▅▆▇█';
const ZERO = '▁';
/** Wider windows are summed into this many bars. */
const MAX_BARS = 60;

export interface SparklineMark { symbol: 'D' | 'E' | 'X'; name: string; at: string; inWindow: boolean }

export interface Sparkline {
  /** Bars and marks, e.g. "▁▁▁▁▁D▁EX▃█▇". */
  line: string;
  /** "D deploy 01:09:53Z · E first new error +2 s · X first 5xx +2 s" */
  legend: string;
  marks: SparklineMark[];
  peak: number;
  total: number;
  /** Minutes per bar (1 unless the window was wider than MAX_BARS minutes). */
  minutesPerBar: number;
  /** "00:10–01:10Z" */
  span: string;
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function bar(n: number, peak: number): string {
  if (n <= 0 || peak <= 0) return ZERO;
  return BARS[Math.min(BARS.length - 1, Math.ceil((n / peak) * BARS.length) - 1)]!;
}

/** Null when there is nothing to draw: no 5xx with a time inside the window. */
export function sparkline(curve: FiveXXCurve | null | undefined): Sparkline | null {
  if (!curve || curve.fiveXX.length === 0) return null;
  const total = curve.fiveXX.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const per = Math.ceil(curve.fiveXX.length / MAX_BARS);
  const bars: number[] = [];
  for (let i = 0; i < curve.fiveXX.length; i += per) bars.push(curve.fiveXX.slice(i, i + per).reduce((a, b) => a + b, 0));
  const peak = Math.max(...bars);
  const startMs = Date.parse(curve.start);
  const barMs = curve.bucketMs * per;
  const endMs = startMs + curve.fiveXX.length * curve.bucketMs;

  const defs: Array<[SparklineMark['symbol'], string, string | null]> = [
    ['D', 'deploy', curve.marks.deploy], ['E', 'first new error', curve.marks.firstNewError], ['X', 'first 5xx', curve.marks.first5xx],
  ];
  const marks: SparklineMark[] = [];
  const before = new Map<number, string>();
  // In time order, so the line and the legend tell what came first. Access logs stamp whole
  // seconds, so within one second the order stays D, E, X (the error is what answered 5xx).
  const timed = defs.map(([symbol, name, at]) => ({ symbol, name, at, ms: at ? Date.parse(at) : NaN }))
    .filter((d) => !Number.isNaN(d.ms)).sort((a, b) => Math.floor(a.ms / 1000) - Math.floor(b.ms / 1000));
  for (const { symbol, name, at, ms } of timed) {
    const inside = ms >= startMs && ms <= endMs + 5 * 60_000;
    marks.push({ symbol, name, at: at!, inWindow: inside });
    if (!inside) continue;
    const i = Math.min(bars.length - 1, Math.floor((ms - startMs) / barMs));
    before.set(i, (before.get(i) ?? '') + symbol);
  }
  const line = bars.map((n, i) => `${before.get(i) ?? ''}${bar(n, peak)}`).join('');

  const deploy = marks.find((m) => m.symbol === 'D');
  const deployMs = deploy ? Date.parse(deploy.at) : NaN;
  const legend = marks.map((m) => {
    const ms = Date.parse(m.at);
    if (!m.inWindow) return `${m.symbol === 'D' ? '' : `${m.symbol} `}${m.name} ${day(ms)} ${hhmm(ms)}Z (before the window)`;
    const sinceDeploy = m.symbol !== 'D' && deploy?.inWindow && ms >= deployMs;
    return `${m.symbol} ${m.name} ${sinceDeploy ? `+${formatDuration(ms - deployMs)}` : `${hhmmss(ms)}Z`}`;
  }).join(' · ');
  return { line, legend, marks, peak, total, minutesPerBar: (per * curve.bucketMs) / 60_000, span: `${hhmm(startMs)}–${hhmm(endMs)}Z` };
}

/** The whole curve on one line, as the CLI prints it (and Slack, with code formatting). */
export function sparklineText(s: Sparkline): string {
  const unit = s.minutesPerBar === 1 ? 'min' : `${s.minutesPerBar} min`;
  return `5xx/${unit} ${s.line} ${s.span}, peak ${s.peak}${s.legend ? ` · ${s.legend}` : ''}`;
}
