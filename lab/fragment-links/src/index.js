/*
 * rmcourse-fragment-links: a link to a heading of another notebook (the course's "Contents"
 * link, `00_start_here.ipynb#Contents-of-the-course`) opens that notebook AT the heading.
 *
 * Why it is needed (JupyterLab 4.x): following such a link opens the notebook and calls
 * NotebookPanel.setFragment once, as soon as the file is loaded (context.ready). At that
 * moment every cell widget exists but no markdown cell has rendered yet, so the heading is
 * found neither in the page (`#Heading-text` fragments) nor in the cells' heading caches
 * (`#heading=` fragments), and for `#cell-id=` fragments the layout is still a fraction of
 * its final height. Nothing is retried: the notebook stays at its top.
 *
 * What this plugin does: for every notebook panel it wraps the panel's own setFragment. The
 * fragment is applied by JupyterLab's own code (Notebook.setFragment) once its target has
 * been rendered, and the target is then kept in place while the cells above it are still
 * rendering (markdown, tables, images), until the layout has been still for a while, the
 * reader scrolls, clicks or types, or another fragment is asked for. Fragments of other
 * kinds (none so far) go to JupyterLab unchanged.
 *
 * Plain JavaScript, no imports: the plugin reaches the notebook widget factory through
 * app.docRegistry, so nothing of JupyterLab is bundled with it. Rebuild with
 * `make labextension` (see labextension/README.md).
 */

const ID = 'rmcourse-fragment-links:plugin';
/** Give up waiting for the target after this long (ms); JupyterLab's own lookup then runs. */
const FIND_LIMIT = 15000;
/** In the windowing mode 'full' a notebook renders only the cells near the view: if the
 * target is still not rendered after this long (ms), its cell is scrolled into view. */
const NUDGE_AFTER = 1000;
/** Keep the target in place until the layout has not moved for this long (ms) ... */
const STILL_FOR = 1500;
/** ... but never longer than this (ms). */
const HOLD_LIMIT = 10000;
/** Reader actions that end the holding: the reader has taken over the view. */
const READER_EVENTS = ['wheel', 'touchstart', 'keydown', 'mousedown'];

const runs = new WeakMap();

function nextFrame() {
  return new Promise(resolve => requestAnimationFrame(() => resolve()));
}

function delay(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** `kind` and `value` of a fragment, as Notebook._parseFragment reads it. */
function parse(fragment) {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (!text) {
    return null;
  }
  const eq = text.indexOf('=');
  return eq < 0
    ? { kind: 'legacy', value: text }
    : { kind: text.slice(0, eq), value: text.slice(eq + 1) };
}

function decoded(value) {
  try {
    return decodeURIComponent(value);
  } catch (e) {
    return value;
  }
}

/** JupyterLab's id for a heading's text: the text with spaces as '-'. */
function headingId(text) {
  return text
    .replace(/<[^>]*>|[*_`]/g, '')
    .trim()
    .replace(/ /g, '-');
}

/** A function returning the fragment's target element once rendered, or null. */
function targetFinder(notebook, fragment) {
  const parsed = parse(fragment);
  if (!parsed) {
    return null;
  }
  const { kind, value } = parsed;
  if (kind === 'cell-id') {
    return () => {
      const cell = notebook.widgets.find(c => c.model.id === value);
      return cell && cell.isAttached ? cell.node : null;
    };
  }
  if (kind !== 'legacy' && kind !== 'heading') {
    return null;
  }
  const names = Array.from(new Set([value, decoded(value)])).map(v => CSS.escape(v));
  const selector = names.map(v => `[data-jupyter-id="${v}"], [id="${v}"]`).join(', ');
  return () => {
    for (const cell of notebook.widgets) {
      if (cell.model.type === 'markdown' && !cell.rendered) {
        continue; // a markdown cell being edited shows its source, not its headings
      }
      const el = cell.isAttached ? cell.node.querySelector(selector) : null;
      if (el) {
        return el;
      }
    }
    return null;
  };
}

/** The markdown cell whose source declares the heading the fragment names, if any. */
function headingCell(notebook, fragment) {
  const parsed = parse(fragment);
  if (!parsed || (parsed.kind !== 'legacy' && parsed.kind !== 'heading')) {
    return null;
  }
  const wanted = new Set([parsed.value, decoded(parsed.value)]);
  return (
    notebook.widgets.find(cell => {
      if (cell.model.type !== 'markdown') {
        return false;
      }
      const source = cell.model.sharedModel.getSource();
      return source
        .split('\n')
        .some(line => /^#{1,6}\s/.test(line) && wanted.has(headingId(line.replace(/^#+/, ''))));
    }) || null
  );
}

function scrollerOf(notebook) {
  return notebook.node.querySelector('.jp-WindowedPanel-outer') || notebook.node;
}

/** Where `el` is, in pixels below the top of the notebook's visible area. */
function offset(scroller, el) {
  return el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
}

async function reveal(panel, fragment) {
  const run = (runs.get(panel) || 0) + 1;
  runs.set(panel, run);
  const current = () => runs.get(panel) === run && !panel.isDisposed;
  await panel.context.ready;
  if (!current()) {
    return;
  }
  const notebook = panel.content;
  const find = targetFinder(notebook, fragment);
  if (!find) {
    await notebook.setFragment(fragment);
    return;
  }
  // 1. Wait until the target has been rendered.
  const start = performance.now();
  let nudged = false;
  let target = null;
  while (current() && performance.now() - start < FIND_LIMIT) {
    target = notebook.isVisible ? find() : null;
    if (target) {
      break;
    }
    const windowed = notebook.notebookConfig && notebook.notebookConfig.windowingMode === 'full';
    if (windowed && !nudged && notebook.isVisible && performance.now() - start > NUDGE_AFTER) {
      nudged = true;
      const cell = headingCell(notebook, fragment);
      if (cell) {
        await notebook.scrollToCell(cell, 'start');
      }
    }
    await nextFrame();
  }
  if (!current()) {
    return;
  }
  // 2. JupyterLab's own scrolling (it also makes the target's cell the active one).
  await notebook.setFragment(fragment);
  if (!target || !current()) {
    return;
  }
  // 3. Hold the target where JupyterLab put it while the cells above it finish rendering.
  await hold(panel, notebook, find, current);
}

async function hold(panel, notebook, find, current) {
  const scroller = scrollerOf(notebook);
  let target = find();
  if (!target) {
    return;
  }
  const wanted = offset(scroller, target);
  let readerActed = false;
  const stop = () => {
    readerActed = true;
  };
  for (const name of READER_EVENTS) {
    panel.node.addEventListener(name, stop, { capture: true, passive: true });
  }
  try {
    const start = performance.now();
    let lastHeight = scroller.scrollHeight;
    let lastChange = start;
    while (current() && !readerActed && performance.now() - start < HOLD_LIMIT) {
      await nextFrame();
      if (!current() || readerActed || !notebook.isVisible) {
        continue;
      }
      const now = performance.now();
      target = target.isConnected ? target : find();
      if (!target) {
        break;
      }
      const drift = offset(scroller, target) - wanted;
      if (scroller.scrollHeight !== lastHeight || Math.abs(drift) > 1) {
        lastHeight = scroller.scrollHeight;
        lastChange = now;
      }
      if (Math.abs(drift) > 1) {
        scroller.scrollTop += drift;
      }
      if (now - lastChange > STILL_FOR) {
        break;
      }
      if (now - start > 250 && document.hidden) {
        await delay(250); // no frames in a hidden browser tab: check now and then
      }
    }
  } finally {
    for (const name of READER_EVENTS) {
      panel.node.removeEventListener(name, stop, { capture: true });
    }
  }
}

/** Wrap the new notebook panel's setFragment (the docmanager calls it right after opening). */
function patch(panel) {
  if (!panel || !panel.content || !panel.context || typeof panel.setFragment !== 'function') {
    return;
  }
  if (typeof panel.content.setFragment !== 'function' || !Array.isArray(panel.content.widgets)) {
    return;
  }
  panel.setFragment = fragment => {
    reveal(panel, fragment).catch(reason => {
      console.warn(`${ID}: could not open the notebook at ${fragment}`, reason);
    });
  };
}

const plugin = {
  id: ID,
  description:
    'Opens a notebook at the heading a link names, once the heading has been rendered.',
  autoStart: true,
  activate: app => {
    const registry = app.docRegistry;
    const hooked = new WeakSet();
    const hook = factory => {
      if (!factory || hooked.has(factory) || !factory.fileTypes.includes('notebook')) {
        return;
      }
      hooked.add(factory);
      factory.widgetCreated.connect((sender, widget) => patch(widget));
    };
    for (const factory of registry.widgetFactories()) {
      hook(factory);
    }
    registry.changed.connect((sender, args) => {
      if (args.type === 'widgetFactory' && args.change === 'added') {
        hook(registry.getWidgetFactory(args.name));
      }
    });
  }
};

export default plugin;
