"""Every notebook of the course, run in JupyterLab in a real browser, as a student meets it."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from _lab import (
    CURRENT,
    broken_images,
    errors,
    open_notebook,
    outputs,
    run_all,
    save_and_close,
    wait_js,
)
from conftest import ROOT, VENV

from rmlib.doctor import check_gradebook
from rmlib.quiz import quiz

# Discovered, never listed: a new chapter is tested as soon as it is in notebooks/.
NOTEBOOKS = sorted(
    p.relative_to(ROOT / "notebooks").as_posix()
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CONTROLS = ".widget-slider, .widget-dropdown, .widget-inline-hbox input[type=number]"


def _snapshot(output) -> str:
    """What an explorer shows as its result: its HTML panels and images, not its controls."""
    return output.evaluate(
        """el => Array.from(el.querySelectorAll('.widget-html-content, .widget-output, img')).map(
            n => n.tagName === 'IMG' ? n.src.slice(-200) : n.innerHTML).join('|')"""
    )


def _move(output) -> None:
    """Move an explorer's first control (slider, menu or number box)."""
    control = output.locator(CONTROLS).first
    cls = control.get_attribute("class") or ""
    if "widget-slider" in cls:
        handle = control.locator(".noUi-handle").first
        low, high, now = (
            float(handle.get_attribute(a))
            for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow")
        )
        target = low + 0.8 * (high - low) if now < (low + high) / 2 else low + 0.2 * (high - low)
        if all(float(v).is_integer() for v in (low, high, now)):
            target = round(target)
        readout = control.locator(".widget-readout").first
        if readout.is_visible():
            # Typing into the readout reliably moves an ipywidgets slider in headless
            # Chromium; key presses on the handle are sometimes lost.
            readout.click()
            readout.press("Control+a")
            readout.type(f"{target:g}")
            readout.press("Enter")
        else:  # a slider without a readout: the arrow keys, one step at a time
            handle.focus()
            key = "ArrowRight" if target > now else "ArrowLeft"
            for _ in range(10):
                handle.press(key)
    elif "widget-dropdown" in cls:
        select = control.locator("select")
        values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        now = select.input_value()
        select.select_option(next(v for v in values if v != now))
    else:
        box = control
        box.fill(str(int(float(box.input_value() or 0)) + 1))
        box.press("Enter")


def _check_explorers(page) -> int:
    explorers = page.locator(".jp-OutputArea-output").filter(has=page.locator(CONTROLS))
    explorers = [
        e for e in explorers.all() if e.locator(".widget-button", has_text="Check").count() == 0
    ]
    for i, output in enumerate(explorers):
        output.evaluate("el => el.scrollIntoView()")
        before = _snapshot(output)
        _move(output)
        deadline = time.monotonic() + 30
        while _snapshot(output) == before:
            assert time.monotonic() < deadline, (
                f"explorer {i + 1}: moving a control changed nothing"
            )
            time.sleep(0.25)
    return len(explorers)


def _quiz_chapter(path: Path) -> str | None:
    m = re.search(r"quiz\(\s*[\"'](ch\d\d)[\"']", path.read_text())
    return m.group(1) if m else None


def _check_quiz(page, chapter: str) -> None:
    """The first single-choice or true/false item marks a wrong and then a right answer."""
    qz = quiz(chapter)
    items = [q for q in qz.items if q.item.type in ("single", "truefalse")]
    assert items, f"{chapter}: no single-choice or true/false item to try"
    q = items[0]
    kind = q.item.type
    box = page.locator(".jp-OutputArea-output").filter(
        has=page.locator(".widget-button", has_text="Try again")
    )
    assert box.count() == 1, "the quiz is not shown"
    box.evaluate("el => el.scrollIntoView()")
    total = len(qz.items)
    if kind == "single":
        right = next(k for k, i in enumerate(q.order) if q.item.options[i].correct)
        wrong = next(k for k, i in enumerate(q.order) if not q.item.options[i].correct)
        group = box.locator(".widget-radio-box").nth(0)
        answers = [chr(65 + wrong), chr(65 + right)]
    else:
        group = box.locator(".widget-toggle-buttons").nth(0)
        answers = [str(not q.item.answer), str(q.item.answer)]
    check = box.locator(".widget-button", has_text="Check").nth(q.number - 1)
    for n_right, answer in enumerate(answers):
        if kind == "single":
            group.locator("label", has_text=re.compile(f"^{answer}$")).click()
        else:
            group.locator("button", has_text=re.compile(f"^{answer}$")).click()
        check.click()
        expected = f"Score: {n_right} of {total} correct (1 checked)"
        wait_js(page, f"document.body.innerText.includes({expected!r})", 30, expected)
    assert "Correct." in box.inner_text()


def _check_links(page, base: str, path: str) -> None:
    """Each navigation / contents link opens its target, at the heading its fragment names.

    A fragment must name a heading of the target as JupyterLab renders it
    (``data-jupyter-id``), and the target must open scrolled to it: the heading near the top
    of the notebook's view, and still there once every cell above it has rendered.
    """
    # The current notebook's links only (other tabs may be restored from the workspace).
    hrefs = page.evaluate(
        f"() => Array.from({CURRENT}.node.querySelectorAll("
        f"\".jp-OutputArea-output a[href*='.ipynb']\")).map(a => {{ const u = new URL(a.href); "
        f"return [a.getAttribute('href'), decodeURIComponent(u.pathname), u.hash.slice(1)]; }})"
    )
    for k, (href, url_path, fragment) in enumerate(hrefs):
        want = url_path.split("/files/", 1)[1]
        # By position: JupyterLab re-renders the outputs (and each link's query string)
        # when the notebook is opened again, so an href read earlier may match nothing.
        n = page.evaluate(
            f"() => {{ const a = {CURRENT}.node.querySelectorAll("
            f"\".jp-OutputArea-output a[href*='.ipynb']\"); "
            f"if (a.length > {k}) {{ a[{k}].scrollIntoView(); a[{k}].click(); }} return a.length; }}"
        )
        assert n == len(hrefs), f"{path}: {n} links after reopening, {len(hrefs)} before"
        wait_js(page, f"{CURRENT}.context.path === {want!r}", 60, f"{href} to open {want}")
        if fragment:
            sel = f"[data-jupyter-id={fragment!r}]"
            wait_js(page, f"{CURRENT}.node.querySelector({sel!r})", 60, f"heading #{fragment}")
            _assert_at_heading(page, sel, f"{path}: the link to {want}#{fragment}")
        if want == path:  # a link within the notebook itself: nothing to close
            continue
        page.evaluate(
            f"async () => {{ const w = {CURRENT}; await w.sessionContext.shutdown(); w.dispose(); }}"
        )
        page.evaluate(
            f"async () => {{ await window.jupyterapp.commands.execute('docmanager:open', "
            f"{{path: {path!r}}}); return null; }}"
        )
        wait_js(page, f"{CURRENT}.context.path === {path!r}", 60, f"back to {path}")


def _heading_place(page, sel: str) -> list[float]:
    """[the heading's top below the top of the notebook's view, that view's height] in px."""
    return page.evaluate(
        f"""() => {{ const w = {CURRENT}; const h = w.node.querySelector({sel!r});
            const view = w.content.node.querySelector('.jp-WindowedPanel-outer') || w.content.node;
            const v = view.getBoundingClientRect();
            return [h.getBoundingClientRect().top - v.top, v.height]; }}"""
    )


def _at_top(place: list[float]) -> bool:
    top, height = place
    return 0 <= top < 0.4 * height


def _assert_at_heading(page, sel: str, what: str) -> None:
    """The view reaches the heading within 15 s and is still there 2 s later."""
    deadline = time.monotonic() + 15
    place = _heading_place(page, sel)
    while not _at_top(place) and time.monotonic() < deadline:
        time.sleep(0.25)
        place = _heading_place(page, sel)
    time.sleep(2)  # every cell above has rendered by now: the heading must not have moved away
    later = _heading_place(page, sel)
    assert _at_top(place) and _at_top(later), (
        f"{what} opens the right notebook, but the view is not at the heading it names: the "
        f"heading is {place[0]:.0f} px (2 s later {later[0]:.0f} px) below the top of a "
        f"{place[1]:.0f} px view"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_lab(page, lab, name):
    base, course = lab
    path = f"work/notebooks/{name}"
    open_notebook(page, base, path)
    run_all(page, path)
    assert errors(page) == []
    stored = outputs(page)
    pngs = sum("image/png" in o.get("data", {}) for o in stored)
    shown, bad = broken_images(page)
    assert bad == [], f"figures that did not render: {bad}"
    assert shown >= pngs, f"{pngs} figures in the outputs, {shown} shown"
    if re.search(r"\bplots\.\w+\(|\.plot[.(]", (ROOT / "notebooks" / name).read_text()):
        assert pngs > 0, "the notebook draws figures, but none reached the page (inline backend?)"
    had_widgets = any(WIDGET_MIME in o.get("data", {}) for o in stored)
    _check_explorers(page)
    chapter = _quiz_chapter(ROOT / "notebooks" / name)
    if chapter:
        _check_quiz(page, chapter)
    _check_links(page, base, path)
    # saved and reopened in a new kernel: the widgets (saved state) or their fallback, no error
    save_and_close(page, path)
    page.reload()
    open_notebook(page, base, path)
    time.sleep(3)
    assert errors(page) == []
    if had_widgets:
        wait_js(
            page,
            f"{CURRENT}.node.querySelector('.jupyter-widgets.widget-container, "
            f".rmlib-explorer-static, .rmlib-quiz-static')",
            30,
            "the reopened notebook's widgets or their static fallback",
        )


def test_assignments_tab_and_formgrader(page, lab):
    base, course = lab
    assignment = sorted(
        p.name
        for p in (course / "assignments" / "source").iterdir()
        if re.match(r"ch\d\d_", p.name) and any(p.glob("*.ipynb"))
    )[0]
    env_path = f"{VENV / 'bin'}:/usr/bin:/bin"
    for step in (
        ["generate_assignment", assignment, "--force"],
        ["release_assignment", assignment],
    ):
        proc = subprocess.run(
            [str(VENV / "bin" / "nbgrader"), *step],
            cwd=course / "assignments",
            env={"PATH": env_path, "HOME": str(Path.home())},
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # instructor: the formgrader of the server make lab started
    page.goto(f"{base}/formgrader")
    page.locator("#main-table").wait_for()
    assert page.title() == "nbgrader formgrade"
    page.locator("#main-table", has_text=assignment).wait_for()
    assert check_gradebook(course / "assignments" / "gradebook.db").ok
    # student: the Assignments tab lists the course's release and fetches it into work/
    page.goto(f"{base}/lab?reset")  # no tabs restored from earlier tests
    wait_js(
        page,
        "window.jupyterapp && window.jupyterapp.commands.hasCommand('nbgrader:open-assignment-list')",
    )
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('nbgrader:open-assignment-list'); }"
    )
    released = page.locator("#released_assignments_list")
    released.locator(f"text={assignment}").wait_for()
    assert "Error" not in page.locator("body").inner_text()
    fetch = released.locator("button", has_text="Fetch").first
    fetch.wait_for()
    time.sleep(1)  # the list is drawn twice on opening
    fetch.evaluate("b => b.click()")
    page.locator("#fetched_assignments_list", has_text=assignment).wait_for()
    assert list((course / "work" / assignment).glob("*.ipynb"))


def _set_windowing(page, mode: str) -> None:
    """Save the notebook setting ``windowingMode`` on the server (read when a page loads)."""
    page.evaluate(
        f"""async () => {{ await window.jupyterapp.serviceManager.settings.save(
            '@jupyterlab/notebook-extension:tracker', JSON.stringify({{windowingMode: {mode!r}}}));
        }}"""
    )


def test_links_with_the_students_default_windowing(page, lab):
    """A student's lab keeps JupyterLab's default windowingMode (contentVisibility: cells are
    attached bit by bit), not the suite's `none`: there too the Contents link of a chapter
    opens chapter 0 at the contents heading."""
    base, course = lab
    path = "work/notebooks/01_definitions.ipynb"
    page.goto(f"{base}/lab?reset")
    wait_js(page, "window.jupyterapp && window.jupyterapp.serviceManager.settings")
    default = page.evaluate(
        """async () => (await window.jupyterapp.serviceManager.settings.fetch(
            '@jupyterlab/notebook-extension:tracker')).schema.properties.windowingMode.default"""
    )
    _set_windowing(page, default)
    try:
        open_notebook(page, base, path)  # a new page load reads the setting just saved
        shown = page.evaluate(f"() => {CURRENT}.content.notebookConfig.windowingMode")
        assert shown == default == "contentVisibility"
        run_all(page, path)
        _check_links(page, base, path)
    finally:
        _set_windowing(page, "none")
