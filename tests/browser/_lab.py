"""Driving JupyterLab through ``window.jupyterapp`` (exposed by ``expose_app_in_browser``)."""

from __future__ import annotations

import time

CURRENT = "window.jupyterapp.shell.currentWidget"


def wait_js(page, expression: str, timeout: float = 120, what: str = "") -> object:
    """Poll a JavaScript expression until it is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(
            f"() => {{ try {{ return {expression}; }} catch (e) {{ return null; }} }}"
        )
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or expression}")
        time.sleep(0.25)


def current_path(page) -> str | None:
    return page.evaluate(f"() => {CURRENT} && {CURRENT}.context ? {CURRENT}.context.path : null")


def open_notebook(page, base: str, path: str) -> None:
    """Open ``path`` (relative to the server root) and wait for an idle, connected kernel."""
    # ?reset: a fresh workspace, so that tabs of earlier tests are not restored beside it.
    page.goto(f"{base}/lab/tree/{path}?reset")
    wait_idle(page, path)


def wait_idle(page, path: str, timeout: float = 120) -> None:
    wait_js(
        page,
        f"{CURRENT}.context.path === {path!r} && {CURRENT}.sessionContext.session.kernel"
        f".connectionStatus === 'connected' && {CURRENT}.sessionContext.session.kernel.status"
        f" === 'idle'",
        timeout,
        f"an idle kernel for {path}",
    )


def run_all(page, path: str, timeout: float = 300) -> None:
    """Run every cell and wait until each code cell has run or one has failed."""
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )
    wait_js(
        page,
        f"""(() => {{
            const w = {CURRENT}; const cells = w.content.model.cells; let failed = false;
            let done = true;
            for (let i = 0; i < cells.length; i++) {{
                const c = cells.get(i);
                if (c.type !== 'code') continue;
                if (c.executionCount == null) done = false;
                for (const o of c.outputs.toJSON()) if (o.output_type === 'error') failed = true;
            }}
            return (done || failed) && w.sessionContext.session.kernel.status === 'idle';
        }})()""",
        timeout,
        f"{path} to finish running",
    )


def outputs(page) -> list[dict]:
    """Every output of the current notebook, as stored (nbformat JSON)."""
    return page.evaluate(
        f"""() => {{ const cells = {CURRENT}.content.model.cells; const out = [];
            for (let i = 0; i < cells.length; i++) {{ const c = cells.get(i);
                if (c.type === 'code') out.push(...c.outputs.toJSON()); }}
            return out; }}"""
    )


def errors(page) -> list[str]:
    """Error outputs, warnings on stderr and widgets that failed to display."""
    found = []
    for o in outputs(page):
        if o["output_type"] == "error":
            found.append(f"{o['ename']}: {o['evalue']}")
        elif o["output_type"] == "stream" and o.get("name") == "stderr":
            text = "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
            if "Error" in text or "Warning" in text:
                found.append(text.strip())
    shown = page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
    found += [f"shown: {t}" for t in shown.all_inner_texts()]
    return found


def broken_images(page) -> tuple[int, list[str]]:
    """(images shown, descriptions of images that did not render) in the output areas."""
    info = page.evaluate(
        """() => Array.from(document.querySelectorAll('.jp-OutputArea-output img')).map(
            i => [i.complete && i.naturalWidth > 0, i.className, i.getBoundingClientRect().width])"""
    )
    bad = [f"{cls} (width {w})" for ok, cls, w in info if not ok or w == 0]
    return len(info), bad


def save_and_close(page, path: str) -> None:
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    wait_js(page, f"!{CURRENT}.context.model.dirty", 60, f"{path} to be saved")
    page.evaluate(
        f"""async () => {{ const w = {CURRENT}; await w.sessionContext.shutdown();
            w.dispose(); }}"""
    )
