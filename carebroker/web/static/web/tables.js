// Tables on a phone (issue 10 item 10): every table that does not label its own cells gets
// each cell's column name as `data-label`, and the stacking class of carebroker.css, so a
// row reads as "Column: value" lines at 390px instead of widening the page. Without
// JavaScript such a table scrolls inside itself.
document.querySelectorAll("table.govuk-table:not(.carebroker-table--stack)").forEach((table) => {
  const headers = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
  table.querySelectorAll("tbody tr").forEach((row) => {
    Array.from(row.children).forEach((cell, index) => {
      if (cell.tagName === "TD" && headers[index] && !cell.hasAttribute("colspan")) {
        cell.setAttribute("data-label", headers[index]);
      }
    });
  });
  table.classList.add("carebroker-table--stack");
});
