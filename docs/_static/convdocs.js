// convdocs: small fixes to the theme's markup, for screen readers.
document.addEventListener("DOMContentLoaded", () => {
  // The sidebar's expand/collapse toggles are <summary> elements holding only an
  // icon: name each after the section it opens.
  for (const summary of document.querySelectorAll(".bd-sidebar details > summary")) {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) continue;
    const link = summary.closest("li")?.querySelector(":scope > a");
    const name = link ? link.textContent.trim() : "section";
    summary.setAttribute("aria-label", `Show or hide the pages under ${name}`);
  }
});
