/** The console's stylesheet: system fonts, light and dark schemes, no external resources. */
export const CONSOLE_CSS = String.raw`:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --text: #1b1f24; --muted: #5b6470; --line: #d9dee4;
  --accent: #0b5cad; --accent-text: #ffffff; --focus: #f0a000; --bar: #0b72d9; --grid: #e3e7ec;
  --provisional-bg: #fff3cd; --provisional-fg: #6b4a00;
  --confirmed-bg: #fde2e1; --confirmed-fg: #8a1c14;
  --dismissed-bg: #e7eaee; --dismissed-fg: #3d4651;
  --selected: #e8f1fb; --code: #f2f4f7;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --panel: #1a1f25; --text: #e6e9ed; --muted: #9aa4b0; --line: #2d343c;
    --accent: #4b9be8; --accent-text: #0b0e12; --bar: #5aa9f0; --grid: #2a3139;
    --provisional-bg: #4a3a0a; --provisional-fg: #ffe08a;
    --confirmed-bg: #4d1c19; --confirmed-fg: #ffb4ad;
    --dismissed-bg: #2c333b; --dismissed-fg: #c3cad3;
    --selected: #1d2b3b; --code: #14181d;
  }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; background: var(--bg); color: var(--text); }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; }
.skip:focus { left: 8px; top: 8px; background: var(--panel); padding: 6px 10px; z-index: 10; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; padding: 14px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 18px; margin: 0; font-weight: 600; }
.brand { color: var(--accent); }
.muted, .hint { color: var(--muted); margin: 0; }
main { padding: 16px 24px 32px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: flex-end; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.field { display: flex; flex-direction: column; gap: 3px; }
.field label { font-size: 12px; font-weight: 600; color: var(--muted); }
input, select, button { font: inherit; color: inherit; }
input, select { min-width: 150px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
button { padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); cursor: pointer; }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
.actions { display: flex; gap: 8px; }
.hint { flex-basis: 100%; font-size: 12px; }
.status { min-height: 1.45em; margin: 10px 2px; color: var(--muted); }
.status.error { color: var(--confirmed-fg); background: var(--confirmed-bg); padding: 6px 10px; border-radius: 6px; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
.layout.with-detail { grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr); }
@media (min-width: 1101px) { .layout.with-detail .detail { position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; } }
@media (max-width: 1100px) { .layout.with-detail { grid-template-columns: minmax(0, 1fr); } }
.layout { align-items: start; }
.layout.with-detail .optional { display: none; }
.results, .detail { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
h2 { font-size: 16px; margin: 2px 0 10px; }
h3 { font-size: 14px; margin: 18px 0 8px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: var(--selected); }
tbody tr[aria-selected="true"] { background: var(--selected); box-shadow: inset 3px 0 0 var(--accent); }
.open { border: 0; background: none; padding: 0; color: var(--accent); text-decoration: underline; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.badge.provisional { background: var(--provisional-bg); color: var(--provisional-fg); }
.badge.confirmed { background: var(--confirmed-bg); color: var(--confirmed-fg); }
.badge.dismissed { background: var(--dismissed-bg); color: var(--dismissed-fg); }
.empty { color: var(--muted); padding: 10px 2px; }
.pager { display: flex; gap: 8px; margin-top: 10px; }
.detail-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 8px; }
.detail-head h2 { word-break: break-all; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 14px; margin: 0; }
.facts dt { color: var(--muted); font-weight: 600; font-size: 12px; padding-top: 1px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
svg.trend { width: 100%; height: auto; display: block; background: var(--bg); border-radius: 6px; }
svg.trend .bar { fill: var(--bar); }
svg.trend .bar:hover { fill: var(--focus); }
svg.trend .grid { stroke: var(--grid); stroke-width: 1; }
svg.trend text { fill: var(--muted); font-size: 11px; font-family: inherit; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; background: var(--bg); }
summary { cursor: pointer; padding: 6px 10px; overflow-wrap: anywhere; }
pre { margin: 0; padding: 8px 10px; background: var(--code); overflow: auto; max-height: 420px; border-top: 1px solid var(--line); }
.note { color: var(--muted); margin: 4px 0; }
`;
