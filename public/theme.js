// Runs before first paint (loaded without defer) so a dark-mode user never sees a white flash.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("powercrud-theme"); } catch (e) { /* storage may be blocked */ }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", saved || (dark ? "dark" : "light"));
  document.documentElement.classList.add("pc-js");
})();
