/** The console's single page. Script and style are separate files so the CSP can forbid inline code. */
export const CONSOLE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trail-insight · IP insights</title>
<link rel="stylesheet" href="console.css">
<script src="console.js" defer></script>
</head>
<body>
<a class="skip" href="#results-title">Skip to results</a>
<header class="top">
  <h1><span class="brand">trail-insight</span> IP insights</h1>
  <p id="source" class="muted"></p>
</header>
<main>
  <form id="filters" class="filters" aria-label="Filter insights">
    <div class="field">
      <label for="f-from">From (UTC)</label>
      <input id="f-from" name="from" placeholder="90 days back" autocomplete="off" spellcheck="false" aria-describedby="time-hint">
    </div>
    <div class="field">
      <label for="f-to">To (UTC)</label>
      <input id="f-to" name="to" placeholder="now" autocomplete="off" spellcheck="false" aria-describedby="time-hint">
    </div>
    <div class="field">
      <label for="f-region">Region</label>
      <input id="f-region" name="region" list="regions" placeholder="any" autocomplete="off" spellcheck="false">
      <datalist id="regions"></datalist>
    </div>
    <div class="field">
      <label for="f-ip">IP or CIDR</label>
      <input id="f-ip" name="ip" placeholder="any" autocomplete="off" spellcheck="false">
    </div>
    <div class="field">
      <label for="f-state">State</label>
      <select id="f-state" name="state">
        <option value="">any</option>
        <option value="provisional">provisional</option>
        <option value="confirmed">confirmed</option>
        <option value="dismissed">dismissed</option>
      </select>
    </div>
    <div class="actions">
      <button type="submit" class="primary">Apply</button>
      <button type="button" id="reset">Reset</button>
    </div>
    <p id="time-hint" class="hint">Times: 2026-03-10, 2026-03-10T02:00:00Z or epoch milliseconds.</p>
  </form>
  <p id="status" class="status" role="status" aria-live="polite"></p>
  <div class="layout">
    <section class="results" aria-labelledby="results-title">
      <h2 id="results-title" tabindex="-1">Insights</h2>
      <div class="table-wrap">
        <table id="insights">
          <caption id="results-caption" class="sr-only">Insights, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Start (UTC)</th>
              <th scope="col">IP</th>
              <th scope="col">State</th>
              <th scope="col">Region</th>
              <th scope="col" class="optional">Account</th>
              <th scope="col" class="num">Operations</th>
              <th scope="col" class="num optional">Duration</th>
              <th scope="col" class="num">Heterogeneity</th>
            </tr>
          </thead>
          <tbody></tbody>
        </table>
      </div>
      <p id="empty" class="empty" hidden>No insights match these filters.</p>
      <div class="pager">
        <button type="button" id="prev-page" hidden>Previous page</button>
        <button type="button" id="next-page" hidden>Next page</button>
      </div>
    </section>
    <aside id="detail" class="detail" aria-labelledby="detail-title" hidden></aside>
  </div>
</main>
</body>
</html>
`;
