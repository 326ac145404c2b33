// Sphinx's search scorer (html_search_scorer; inlined into language_data.js).
//
// Sphinx ranks pages by the words they contain, and sends a reader to a section only
// when the whole query is part of that section's title. Readers type questions in
// their own words ("same padding stride 2"), so this scorer also sends a result to the
// section of its page whose title holds the most query words, and ranks pages with
// such a section first: a section titled with every word of the query is the answer.
var Scorer = {
  // Sphinx's own weights (sphinx/themes/basic/static/searchtools.js).
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,

  // Added for a section whose title holds every query word (scaled by the share).
  sectionMatch: 40,

  score: (result) => {
    const section = Scorer._bestSection(result[0]);
    if (section === null || result[2]) return result[4]; // result already has an anchor
    const [title, anchor, share] = section;
    if (share === 1 && anchor) {
      const pageTitle = result[1];
      result[1] = pageTitle === title ? title : `${pageTitle} > ${title}`;
      result[2] = `#${anchor}`;
    }
    return result[4] + Math.round(Scorer.sectionMatch * share * share);
  },

  // [title, anchor, share of query words in it] for the page's best section, or null.
  _bestSection: (docname) => {
    const words = Scorer._queryWords();
    if (!words.length) return null;
    const sections = Scorer._sections().get(docname) || [];
    let best = null;
    for (const [title, anchor] of sections) {
      const lower = title.toLowerCase();
      const share = words.filter((word) => lower.includes(word)).length / words.length;
      if (best === null || share > best[2]) best = [title, anchor, share];
    }
    return best;
  },

  _queryWords: () => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    return query.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter((word) => word.length > 0);
  },

  // docname -> [[section title, anchor], ...], built once from Sphinx's index.
  _sectionsByPage: null,
  _sections: () => {
    if (Scorer._sectionsByPage === null) {
      const index = Search._index;
      const byPage = new Map();
      for (const [title, places] of Object.entries(index.alltitles)) {
        for (const [file, anchor] of places) {
          const docname = index.docnames[file];
          if (!byPage.has(docname)) byPage.set(docname, []);
          byPage.get(docname).push([title, anchor]);
        }
      }
      Scorer._sectionsByPage = byPage;
    }
    return Scorer._sectionsByPage;
  },
};
