// convdocs: small fixes to the theme's and the extensions' markup, for screen readers
// and keyboards.

function nameIconToggles() {
  // The sidebar's expand/collapse toggles are <summary> elements holding only an
  // icon: name each after the section it opens.
  for (const summary of document.querySelectorAll(".bd-sidebar details > summary")) {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) continue;
    const link = summary.closest("li")?.querySelector(":scope > a");
    const name = link ? link.textContent.trim() : "section";
    summary.setAttribute("aria-label", `Show or hide the pages under ${name}`);
  }
}

function nameThumbnailLinks() {
  // sphinx-gallery covers each thumbnail with a link whose text its CSS hides: give
  // the link the example's title as its name, which the thumbnail shows.
  for (const box of document.querySelectorAll(".sphx-glr-thumbcontainer")) {
    for (const link of box.querySelectorAll("a")) {
      const title = link.textContent.trim()
        || box.querySelector(".sphx-glr-thumbnail-title")?.textContent.trim()
        || "Gallery example";
      if (!link.hasAttribute("aria-label")) link.setAttribute("aria-label", title);
    }
  }
}

function listCitations() {
  // docutils marks a citation list as role="list" and its items as bibliography
  // entries, which a list may not hold: they become list items.
  for (const item of document.querySelectorAll("[role='list'].citation-list > *")) {
    item.setAttribute("role", "listitem");
  }
}

function focusableScrollBoxes() {
  // Boxes that scroll sideways (wide outputs, tables, equations) can be scrolled from
  // the keyboard.
  const boxes = document.querySelectorAll(
    ".bd-article pre, .bd-article .output, .bd-article .table-wrapper, "
    + ".bd-article mjx-container[display='true'], .convdocs-receptive-field, "
    + ".rendered_html, .animation"
  );
  for (const box of boxes) {
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
    }
  }
}

function fixAll() {
  nameIconToggles();
  nameThumbnailLinks();
  listCitations();
  focusableScrollBoxes();
}

document.addEventListener("DOMContentLoaded", fixAll);
window.addEventListener("load", () => {
  fixAll();
  window.MathJax?.startup?.promise?.then(focusableScrollBoxes);
});
window.addEventListener("resize", focusableScrollBoxes);
