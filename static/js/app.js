/*
 * improve: front-end start-up (an ES module).
 *
 * Load it from the page with
 *   <script type="module" src="/static/js/app.js"></script>
 * There is no inline script anywhere: the Content-Security-Policy forbids it.
 *
 * htmx (loaded separately from /static/vendor/htmx/htmx.min.js) is configured
 * by this tag in <head>, placed before the htmx script:
 *
 *   <meta name="htmx-config" content='{"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"429","swap":true},{"code":"[45]..","swap":false,"error":true}],"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0,"selfRequestsOnly":true}'>
 *
 * - responseHandling: swap 422 (form validation errors) into the target, as
 *   well as 2xx/3xx; other 4xx/5xx are not swapped and raise htmx:responseError.
 * - includeIndicatorStyles false: otherwise htmx injects an inline <style>,
 *   which the CSP blocks (the indicator rules are in /static/css/app.css).
 * - allowEval / allowScriptTags false: no eval (hx-on, js: values) and no
 *   scripts executed from swapped-in HTML.
 * - historyCacheSize 0: no page snapshots kept in sessionStorage.
 * - selfRequestsOnly: htmx only talks to this origin.
 */
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

// Replaces the inline snippet in GOV.UK's page template. Browsers that run
// ES modules all support `noModule`, so they are "govuk-frontend-supported".
document.body.classList.add("js-enabled", "govuk-frontend-supported");

// A component that is already initialised throws an InitError when it is
// initialised again (it carries data-<module>-init); that is expected when we
// re-scan swapped-in content, so ignore it and log anything else.
function onError(error) {
  if (error && error.name === "InitError") {
    return;
  }
  console.error(error);
}

initAll({ onError });

// Re-initialise GOV.UK components in content that htmx has swapped in.
// initAll({scope}) only looks at descendants of the scope, so use the parent
// of the settled element: that also catches an outerHTML swap whose new root
// element is itself a component (data-module="govuk-...").
document.body.addEventListener("htmx:afterSettle", (event) => {
  const elt = event.detail && event.detail.elt;
  if (!(elt instanceof Element) || !elt.isConnected) {
    return;
  }
  initAll({ scope: elt.parentElement || elt, onError });
});

// Upload progress for large imports: htmx reports the bytes sent; a <progress data-upload-progress>
// inside the submitting form shows them (the form's htmx-indicator makes it visible).
document.body.addEventListener("htmx:xhr:progress", (event) => {
  const detail = event.detail || {};
  const form = event.target instanceof Element ? event.target.closest("form") : null;
  const bar = form && form.querySelector("[data-upload-progress]");
  if (!bar || !detail.lengthComputable || !detail.total) {
    return;
  }
  bar.value = Math.round((detail.loaded / detail.total) * 100);
});

// A table wider than the screen scrolls inside its box. Keyboard users must be able to scroll it
// too, so a box that overflows and holds nothing focusable becomes a focusable, named region.
function makeScrollBoxesFocusable(root) {
  root.querySelectorAll(".app-table-wrapper, .app-table-scroll").forEach((box) => {
    const overflows = box.scrollWidth > box.clientWidth;
    const focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (!overflows || focusable || box.hasAttribute("tabindex")) {
      return;
    }
    const caption = box.querySelector("caption");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
  });
}

makeScrollBoxesFocusable(document);
// After a swap and again once it settles: tools and people may act as soon as content lands.
document.body.addEventListener("htmx:afterSwap", () => makeScrollBoxesFocusable(document));
document.body.addEventListener("htmx:afterSettle", () => makeScrollBoxesFocusable(document));
window.addEventListener("resize", () => makeScrollBoxesFocusable(document));

// A boosted link or form that meets an error (404, 409, 503...) shows the server's error page,
// as it would without JavaScript; htmx would otherwise leave the old page and say nothing.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  if (detail.isError && detail.boosted) {
    detail.shouldSwap = true;
    detail.isError = false;
  }
});
