// A click on a citation link [n] (href "#src-T-N") shows turn T's passages in the Sources panel,
// opens passage N and scrolls it into view. Capture phase: runs before the chat's own link handling.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href^='#src-']") : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const [turn, n] = link.getAttribute("href").slice("#src-".length).split("-");
  document.querySelectorAll("#sources section.turn").forEach((s) => { s.hidden = s.id !== `turn-${turn}`; });
  const card = document.getElementById(`src-${turn}-${n}`);
  if (!card) return;
  document.querySelectorAll("#sources .src.focus").forEach((c) => c.classList.remove("focus"));
  card.open = true;
  card.classList.add("focus");
  card.scrollIntoView({ behavior: "smooth", block: "center" });
}, true);
