// The details panel's only script: replaces the sections the extension sends when their HTML changed, keeps them and
// the scroll position in the webview state, and turns a Copy click into a message (the extension does the copying).
/* global acquireVsCodeApi, window, document, HTMLElement, HTMLButtonElement, Element, CSS, setTimeout, clearTimeout */
(function () {
  const vscode = acquireVsCodeApi();
  /** @type {{ sections?: Record<string, string>, scrollY?: number, job?: string }} */
  const saved = vscode.getState() || {};
  /** The job this page shows, kept in the state so that VS Code can bring the panel back after a reload. */
  let job = typeof saved.job === 'string' ? saved.job : undefined;
  /** @type {Record<string, string>} */
  const shown = {};

  function save() {
    vscode.setState({ sections: shown, scrollY: window.scrollY, job: job });
  }

  /** @param {unknown} sections */
  function apply(sections) {
    if (!Array.isArray(sections)) {
      return;
    }
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.copy : undefined;
    for (const s of sections) {
      if (!s || typeof s.id !== 'string' || typeof s.html !== 'string' || shown[s.id] === s.html) {
        continue;
      }
      const element = document.getElementById('section-' + s.id);
      if (element) {
        // HTML built and escaped by the extension; under the CSP nothing in it can run.
        element.innerHTML = s.html;
        shown[s.id] = s.html;
      }
    }
    if (focused !== undefined && !(document.activeElement instanceof HTMLButtonElement)) {
      const again = document.querySelector('button[data-copy="' + CSS.escape(focused) + '"]');
      if (again instanceof HTMLElement) {
        again.focus();
      }
    }
    save();
  }

  if (saved.sections) {
    apply(Object.entries(saved.sections).map(([id, html]) => ({ id, html })));
    window.scrollTo(0, saved.scrollY || 0);
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.type === 'update') {
      if (typeof data.job === 'string') {
        job = data.job;
      }
      apply(data.sections);
    }
  });

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
    if (target instanceof HTMLElement) {
      vscode.postMessage({ type: 'copy', index: Number(target.dataset.copy) });
    }
  });

  let scrollTimer = 0;
  window.addEventListener('scroll', () => {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(save, 200);
  });

  vscode.postMessage({ type: 'ready' });
})();
