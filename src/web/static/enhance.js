/* Enforcement Tracker: progressive enhancement of the server-rendered pages (no build step, no dependencies).
 * - every table[data-sortable] sorts by a click (or Enter/Space) on a column header: numbers as numbers,
 *   ascending then descending, with aria-sort on the header;
 * - a sortable table with more than 20 rows gets a text box above it that filters its rows as you type.
 * Pages work without it; it does nothing on a page without such tables. */
/* global document, console */
(function () {
  'use strict';

  var FILTER_MIN_ROWS = 20;
  var counter = 0;

  /** A cell's text as a number ("1,234.5", "−12", "45%"), or null when it is not one. */
  function toNumber(text) {
    var t = text.replace(/[,\s\u00a0\u202f]/g, '').replace(/^[\u2212\u2013]/, '-').replace(/%$/, '');
    if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
    return Number(t);
  }

  function cellText(row, index) {
    var cell = row.cells[index];
    if (!cell) return '';
    var key = cell.getAttribute('data-sort');
    return (key !== null ? key : cell.textContent || '').trim();
  }

  function isEmpty(text) {
    return text === '' || text === '\u2013' || text === '-';
  }

  function sortTable(table, headers, index, direction) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var keys = rows.map(function (row, i) {
      var text = cellText(row, index);
      return { row: row, i: i, text: text, num: toNumber(text), empty: isEmpty(text) };
    });
    var numeric = keys.every(function (k) {
      return k.empty || k.num !== null;
    });
    var sign = direction === 'ascending' ? 1 : -1;
    keys.sort(function (a, b) {
      if (a.empty !== b.empty) return a.empty ? 1 : -1; // blanks last either way
      var d = 0;
      if (!a.empty) {
        d = numeric ? a.num - b.num : a.text.localeCompare(b.text, undefined, { numeric: true, sensitivity: 'base' });
      }
      return d !== 0 ? d * sign : a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    keys.forEach(function (k) {
      frag.appendChild(k.row);
    });
    body.appendChild(frag);
    headers.forEach(function (th, i) {
      var mark = th.querySelector('.sort-mark');
      if (i === index) {
        th.setAttribute('aria-sort', direction);
        if (mark) mark.textContent = direction === 'ascending' ? ' \u25b2' : ' \u25bc';
      } else {
        th.removeAttribute('aria-sort');
        if (mark) mark.textContent = '';
      }
    });
  }

  function makeSortable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length || !table.tBodies.length) return;
    var headers = Array.prototype.slice.call(head.rows[head.rows.length - 1].cells);
    headers.forEach(function (th, index) {
      if (th.querySelector('button')) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.style.cssText = 'font:inherit;font-weight:inherit;color:inherit;background:none;border:0;padding:0;margin:0;cursor:pointer;text-align:inherit';
      while (th.firstChild) button.appendChild(th.firstChild);
      var mark = document.createElement('span');
      mark.className = 'sort-mark';
      mark.setAttribute('aria-hidden', 'true');
      button.appendChild(mark);
      th.appendChild(button);
      button.addEventListener('click', function () {
        var next = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        sortTable(table, headers, index, next);
      });
    });
  }

  function addFilter(table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length <= FILTER_MIN_ROWS) return;
    counter += 1;
    var id = 'table-filter-' + counter;
    var box = document.createElement('div');
    box.style.cssText = 'margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.3rem .6rem;align-items:center';
    var label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = 'Filter rows';
    var input = document.createElement('input');
    input.type = 'search';
    input.id = id;
    input.autocomplete = 'off';
    input.style.maxWidth = '100%';
    var status = document.createElement('span');
    status.className = 'muted';
    status.setAttribute('aria-live', 'polite');
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    var anchor = table.parentElement && table.parentElement.classList.contains('table-wrap') ? table.parentElement : table;
    if (!anchor.parentNode) return;
    anchor.parentNode.insertBefore(box, anchor);
    var texts = null;
    input.addEventListener('input', function () {
      var rows = Array.prototype.slice.call(body.rows);
      if (!texts || texts.size !== rows.length) {
        texts = new Map();
        rows.forEach(function (row) {
          texts.set(row, (row.textContent || '').toLowerCase());
        });
      }
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = texts.get(row) || '';
        var ok = words.every(function (w) {
          return text.indexOf(w) >= 0;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      status.textContent = words.length ? shown + ' of ' + rows.length + ' rows' : '';
    });
  }

  function init() {
    var tables = document.querySelectorAll('table[data-sortable]');
    Array.prototype.forEach.call(tables, function (table) {
      try {
        makeSortable(table);
        addFilter(table);
      } catch (err) {
        // one odd table must not stop the others
        if (typeof console !== 'undefined') console.error(err);
      }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
