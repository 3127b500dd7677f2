"use strict";
// The API's documentation: Swagger UI reading the schema this page names.
// A file of ours rather than drf-spectacular's inline initialiser, so the page
// runs under a Content-Security-Policy without 'unsafe-inline'.
(function () {
  const root = document.getElementById("swagger-ui");
  // Swagger UI's own dark theme, following the reader's setting as the site does.
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => document.documentElement.classList.toggle("dark-mode", dark.matches);
  follow();
  dark.addEventListener("change", follow);
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    ...JSON.parse(root.dataset.settings),
  });
})();
