// policy-obligations report: clicking a row opens the passage it links to; the target flashes.
(function () {
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest("tr.row-link");
    if (row && !ev.target.closest("a")) { location.hash = row.getAttribute("data-href"); }
  });
  function flash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) { return; }
    el.classList.add("flash");
    setTimeout(function () { el.classList.remove("flash"); }, 2500);
  }
  window.addEventListener("hashchange", flash);
  flash();
})();
