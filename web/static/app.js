// Progressive enhancement only: every page works without this file.
// Switch between side-by-side and inline diffs without reloading the page.
document.addEventListener("DOMContentLoaded", () => {
  const links = document.querySelectorAll(".diff .modes a[data-mode]");
  links.forEach((a) => a.addEventListener("click", (ev) => {
    ev.preventDefault();
    const side = a.dataset.mode === "side";
    document.querySelector(".diff-side")?.classList.toggle("hidden", !side);
    document.querySelector(".diff-inline")?.classList.toggle("hidden", side);
    links.forEach((b) => b.classList.toggle("on", b === a));
    history.replaceState(null, "", a.getAttribute("href"));
  }));
});
