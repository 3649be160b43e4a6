// Opened from disk (file://), a browser refuses the fetch() with which Sphinx's search page
// loads each result's text for its summary (a CORS error in the console). The search
// itself reads searchindex.js and works there; only the summaries are switched off.
if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
