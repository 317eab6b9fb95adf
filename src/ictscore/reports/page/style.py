"""The page's inline style sheet and script: no network, nothing fetched.

Layout, as read on a laptop (1366 px) and a phone (390 px):

- a ranked table puts its key columns first (rank, parent rank, code, unit, total, band), then
  the areas; the key columns stick to the left when the areas need the table's own sideways
  scroll, and a long table scrolls inside a box as tall as the screen, its header in view;
- under 640 px each row is a card: rank, unit, total and band on top, code and parent rank
  under them, the areas below as labelled figures; the headers become sort buttons;
- charts are rows of HTML bars (their text stays at reading size at any width).
"""

from __future__ import annotations

from typing import Final

PHONE_WIDTH: Final = 640
"""Below this width (CSS px) the ranked tables turn into cards."""

SUMMARY_CARDS_WIDTH: Final = 1000
"""Below this width the summary, eleven columns wide, turns into one card per group."""

CSS: Final = (
    """
:root { font-family: system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #1d2733;
  --line: #e4e9f0; --frame: #d9e1ec; --head: #eef3fa; --muted: #52606d; --accent: #1d4e89; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 86rem; padding: 1rem 1.25rem 3rem; line-height: 1.45; }
a { color: var(--accent); }
.masthead { border-bottom: 3px solid var(--accent); padding-bottom: .7rem; margin-bottom: 1.2rem; }
.masthead .issuer { margin: 0; font-weight: 600; color: var(--accent); }
.masthead h1 { font-size: 1.45rem; margin: .25rem 0 .3rem; line-height: 1.3; }
.masthead .decision { margin: 0 0 .3rem; font-style: italic; }
p.meta { color: var(--muted); margin: .15rem 0 .5rem; }
nav.groups { margin-top: .4rem; }
nav.groups a { display: inline-block; margin: 0 1rem .2rem 0; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .3rem; }
section > h2 { border-bottom: 1px solid var(--frame); padding-bottom: .2rem; }
.muted { color: var(--muted); }
.scroll { overflow-x: auto; border: 1px solid var(--frame); border-radius: 6px; }
.scroll.tall { max-height: calc(100vh - 2rem); overflow-y: auto; }
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: .92rem; }
th, td { padding: .35rem .45rem; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; background: #fff; }
th { background: var(--head); position: sticky; top: 0; z-index: 2; vertical-align: bottom;
  font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable::after { content: " ↕"; color: #8a99ab; }
th[aria-sort="ascending"]::after { content: " ▲"; color: #1d2733; }
th[aria-sort="descending"]::after { content: " ▼"; color: #1d2733; }
/* the code cell is a bare <td> (no class): other reports and tests find it as such */
.units .key, .units td:not([class]) { position: sticky; left: 0; z-index: 1; }
.units th.key { z-index: 3; }
.units .last-key { box-shadow: inset -1px 0 0 var(--frame); }
.units td.unit { min-width: 12rem; }
.units td:not([class]) { white-space: nowrap; }
.units td.unit span { display: inline-block; max-width: 22rem; vertical-align: top; }
.units td.unit .name { font-weight: 500; }
.units .parent, .units td:not([class]) { color: var(--muted); }
.units td.total { font-weight: 600; }
.units th { white-space: normal; }
.units th.area, .units td.area { white-space: nowrap; }
.units td.area { color: #34404c; }
.band { display: inline-block; padding: 0 .45rem; border-radius: 4px; font-size: .85rem;
  white-space: nowrap; }
.summary .who > span { display: block; }
.summary .who { display: block; color: var(--muted); font-size: .85rem; white-space: normal;
  text-align: right; }
.areas-legend { columns: 2 24rem; column-gap: 2rem; padding-left: 0; list-style: none; }
.areas-legend li { break-inside: avoid; margin-bottom: .2rem; display: grid;
  grid-template-columns: minmax(2.4rem, max-content) 1fr; column-gap: .4rem; }
.summary td:first-child { min-width: 9rem; }
figure.chart { margin: 1rem 0 1.2rem; }
figure.chart figcaption, details.chart > summary { font-weight: 600; margin-bottom: .4rem; }
details.chart > summary { cursor: pointer; }
.note { color: var(--muted); font-size: .85rem; margin: .3rem 0 0; }
.swatch { display: inline-block; width: .75rem; height: .75rem; border-radius: 2px;
  margin-right: .25rem; vertical-align: -.05rem; }
.stackrow { display: grid; grid-template-columns: minmax(9rem, 16rem) 1fr; column-gap: .8rem;
  align-items: center; margin-bottom: .55rem; }
.stack { display: flex; height: 1.35rem; border-radius: 3px; overflow: hidden;
  background: var(--line); }
.seg { display: flex; align-items: center; justify-content: center; font-size: .8rem;
  font-weight: 600; overflow: hidden; white-space: nowrap; }
.counts { grid-column: 2; font-size: .85rem; margin-top: .15rem; }
.counts span.item { margin-right: .9rem; white-space: nowrap; }
ol.bars { list-style: none; margin: 0; padding: 0; }
ol.bars li, .axis { display: grid; grid-template-columns: minmax(9rem, 24rem) 1fr;
  column-gap: .6rem; align-items: center; }
ol.bars li { min-height: 1.3rem; font-size: .85rem; }
.distribution ol.bars li { grid-template-columns: 6.5rem 1fr; }
.blabel { overflow-wrap: anywhere; }
.track { display: flex; align-items: center; height: 1.3rem; background-image: var(--marks); }
.bar { height: .95rem; width: calc((100% - var(--room, 3.8rem)) * var(--p));
  border-radius: 0 2px 2px 0;
  display: flex; }
.bar > span { height: 100%; }
.val { padding: 0 .2rem 0 .3rem; background: #fff; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.axis { position: sticky; top: 0; background: #fff; z-index: 1; font-size: .75rem;
  color: var(--muted); height: 1.2rem; }
.axis .ticks { position: relative; height: 100%; }
.tick { position: absolute; bottom: 0; transform: translateX(-50%); white-space: nowrap; }
.tick.first { transform: none; }
@media (max-width: """
    + str(PHONE_WIDTH)
    + """px) {
  body { padding: .5rem .6rem 2rem; }
  .masthead h1 { font-size: 1.2rem; }
  .stackrow, ol.bars li, .axis { grid-template-columns: 1fr; }
  .counts { grid-column: 1; }
  .axis .spacer { display: none; }
  ol.bars li { margin-bottom: .25rem; }
  .scroll.cards { border: 0; overflow: visible; max-height: none; }
  .cards table, .cards tbody, .cards thead { display: block; }
  .cards thead tr { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center;
    margin-bottom: .5rem; }
  .cards thead tr::before { content: "Sắp xếp theo:"; color: var(--muted); font-size: .85rem; }
  .cards .units th { position: static; display: block; border: 1px solid var(--frame);
    border-radius: 4px; padding: .15rem .45rem; font-size: .85rem; }
  .cards th.area, .cards th.code { display: none; }
  .cards tbody tr { display: flex; flex-wrap: wrap; align-items: baseline;
    border: 1px solid var(--frame); border-radius: 6px; margin-bottom: .45rem;
    padding: .35rem .4rem; }
  .cards .units td { display: block; border: 0; padding: .1rem .25rem; position: static;
    background: none; box-shadow: none; min-width: 0; }
  .cards td.rank { order: 1; flex: 0 0 2.6rem; text-align: left; font-weight: 600; }
  .cards td.unit { order: 2; flex: 1 1 0; min-width: 0; }
  .cards td.unit .name { font-weight: 600; }
  .cards td.unit .parent { display: block; font-size: .85rem; }
  .cards td.unit span { display: inline; max-width: none; }
  .cards td.total { order: 3; }
  .cards td.rating { order: 4; }
  .cards tbody tr::before { content: ""; order: 5; flex-basis: 100%; }
  .cards td:not([class]), .cards td.prank { order: 6; font-size: .8rem; color: var(--muted); }
  .cards td.prank { order: 7; }
  .cards td:not([class]) { padding-left: 2.85rem; }
  .cards td.prank::before { content: attr(data-label) ": "; }
  .cards tbody tr::after { content: ""; order: 8; flex-basis: 100%; }
  .cards td.area { order: 9; flex: 0 0 25%; text-align: left; font-size: .82rem; }
  .cards tr.not-graded td.area, .cards tr.not-graded td.prank { display: none; }
  .cards td.area::before { content: attr(data-label) " "; color: var(--muted); }
}
@media (max-width: """
    + str(SUMMARY_CARDS_WIDTH)
    + """px) {
  .summary table, .summary tbody { display: block; }
  .summary thead { display: none; }
  .summary tr { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
    border: 1px solid var(--frame); border-radius: 6px; margin-bottom: .45rem; padding: .3rem; }
  .summary td { border: 0; padding: .1rem .3rem; text-align: left; white-space: normal; }
  .summary td:first-child { grid-column: 1 / -1; font-weight: 600; }
  .summary td + td::before { content: attr(data-label) ": "; color: var(--muted); }
  .summary .who { text-align: left; min-width: 0; }
  .summary td:first-child { min-width: 0; }
  .scroll.summary { border: 0; }
}
@media print {
  .scroll, .scroll.tall { overflow: visible; max-height: none; border: 0; }
  th, .units .key { position: static; }
  body { max-width: none; }
}
"""
)

SCRIPT: Final = """
/* the key columns (first in each row) stick to the left, each after the ones before it */
function pinKeys(table) {
  var head = table.tHead.rows[0].cells, lefts = [], left = 0;
  for (var i = 0; i < head.length && head[i].classList.contains("key"); i++) {
    lefts.push(left + "px");
    left += head[i].getBoundingClientRect().width;
  }
  Array.prototype.forEach.call(table.rows, function (row) {
    lefts.forEach(function (x, i) { if (row.cells[i]) { row.cells[i].style.left = x; } });
  });
}
document.querySelectorAll("table.units").forEach(function (table) {
  pinKeys(table);
  window.addEventListener("resize", function () { pinKeys(table); });
});
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th.sortable").forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); th.click(); }
    });
    th.addEventListener("click", function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var index = Array.prototype.indexOf.call(th.parentNode.children, th);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute("data-sort");
        var y = b.cells[index].getAttribute("data-sort");
        if (x === null) { x = a.cells[index].textContent; }
        if (y === null) { y = b.cells[index].textContent; }
        if (x === "" || y === "") { return (x === "") - (y === ""); }  /* no figure: last */
        var nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "vi");
        return ascending ? cmp : -cmp;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
