// The report page's one script (src/render/report-html.ts), inlined at build time by
// scripts/build-html-assets.mjs into the script element of a page with no other code: a plain browser
// script, no modules, no dependencies.
// Sorts the table on a header click (or Enter): numbers by data-sort, text alphabetically;
// cells without a value stay at the bottom in both directions.
'use strict';
for (const th of document.querySelectorAll('table.sortable th')) {
  th.tabIndex = 0;
  const sort = () => {
    const table = th.closest('table'), body = table.tBodies[0], i = th.cellIndex, num = th.dataset.type === 'num';
    const asc = th.getAttribute('aria-sort') !== 'ascending';
    for (const o of table.tHead.rows[0].cells) o.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    const key = (tr) => { const c = tr.cells[Math.min(i, tr.cells.length - 1)]; const v = c.dataset.sort ?? c.textContent.trim(); return num ? (v === '' ? NaN : Number(v)) : v.toLowerCase(); };
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (num && Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (num && Number.isNaN(y)) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    for (const row of rows) body.appendChild(row);
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
}
