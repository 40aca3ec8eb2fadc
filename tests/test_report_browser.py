"""The report page in a real browser: Debian's headless Chromium, driven by selenium.

Needs `chromium` and `chromium-driver` (apt) and selenium (the `test` extra);
.ci/run installs them and sets CI, where their absence fails the test
instead of skipping it. Nothing is downloaded: the browser and its driver
are the system's, and the page loads nothing from the network.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile

import pytest

from conftest import run_cli
from test_report import make_tree

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900")


def _missing():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the report page must be tested in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never fetch a driver or a browser
    profile = tempfile.mkdtemp(prefix="tfmigrate-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """(the page's file, the report's data as JSON) for the tree of test_report."""
    root = make_tree(tmp_path_factory.mktemp("tree"))
    written = run_cli("report", "--no-cache", "-o", "report.html", ".", cwd=root)
    assert written.returncode == 0, written.stderr
    data = json.loads(run_cli("report", "--no-cache", "--format", "json", "-q", ".", cwd=root).stdout)
    return root / "report.html", data


def _severe(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _visible_rows(driver):
    rows = driver.find_elements("css selector", "#file-table tr[data-status]")
    return [(row.find_element("css selector", "td code").text, row.get_attribute("data-status"))
            for row in rows if row.is_displayed()]


def _target(driver):
    return driver.execute_script(
        "var t = document.querySelector(':target'); if (!t) return null;"
        "var r = t.getBoundingClientRect();"
        "return {id: t.id, hash: location.hash, text: t.innerText,"
        " inView: r.height > 0 && r.bottom > 0 && r.top < window.innerHeight};")


def test_every_file_appears_with_its_status_and_the_page_logs_no_error(browser, page):
    path, data = page
    browser.get(path.as_uri())
    assert browser.title == "tfmigrate: migration report"
    assert _severe(browser) == []
    assert _visible_rows(browser) == [(item["path"], item["status"]) for item in data["files"]]
    badges = [b.text for b in browser.find_elements("css selector", "#file-table .badge")]
    assert badges == [item["status"] for item in data["files"]]
    folders = browser.find_elements("css selector", "#folders td.folder")
    assert [(f.get_attribute("title"), f.text) for f in folders] == [
        (".", "."), ("legacy", "legacy"), ("pkg", "pkg"), (os.path.join("pkg", "sub"), "sub")]
    overall = browser.find_element("css selector", "#progress .bar")
    assert overall.get_attribute("aria-label") == "1 clean, 2 idiomatic, 4 compat-only, 1 manual, 1 error"
    widths = {span.get_attribute("class"): span.size["width"] for span in overall.find_elements("tag name", "span")}
    for status, files in (("clean", 1), ("idiomatic", 2), ("compat-only", 4), ("manual", 1), ("error", 1)):
        assert abs(widths[f"s-{status}"] - overall.size["width"] * files / 9) < 1.5, (status, widths)
    sections = browser.find_elements("css selector", "section.file")
    assert [s.find_element("css selector", "h3 code").text for s in sections] == [
        item["path"] for item in data["files"] if item["findings"] or item["error"]]


def test_clicking_a_finding_goes_to_its_line(browser, page):
    path, data = page
    browser.get(path.as_uri())
    index = [item["path"] for item in data["files"]].index("pkg/model.py")
    section = browser.find_element("id", f"f{index}")
    link = section.find_elements("css selector", "table.findings a.loc")[0]
    assert link.text == "6:1"
    link.click()
    target = _target(browser)
    assert target["hash"] == f"#f{index}-L6" and target["id"] == f"f{index}-L6"
    assert target["inView"], target
    assert "class Model:" in target["text"] and "TFM090" in target["text"]
    notebook = [item["path"] for item in data["files"]].index("pkg/nb.ipynb")
    browser.find_element("id", f"f{notebook}").find_elements("css selector", "a.loc")[0].click()
    target = _target(browser)
    assert target["id"] == f"f{notebook}-c3-L3" and target["inView"]
    assert "x = tf.placeholder(tf.float32, [3, 1])" in target["text"]
    assert _severe(browser) == []


def test_filters_and_a_blocker_link_to_a_hidden_file(browser, page):
    path, data = page
    browser.get(path.as_uri())
    browser.find_element("css selector", 'button[data-filter="compat-only"]').click()
    shown = _visible_rows(browser)
    assert shown == [(i["path"], i["status"]) for i in data["files"] if i["status"] == "compat-only"]
    assert len(shown) == 4
    # The second blocker (TFM105) holds back a manual file, hidden by the filter: its link shows it again.
    blocker = browser.find_elements("css selector", "#blockers details")[1]
    blocker.find_element("tag name", "summary").click()
    link = blocker.find_element("css selector", "li a")
    assert link.text == "pkg/sub/rnn.py:3:8"
    link.click()
    target = _target(browser)
    index = [item["path"] for item in data["files"]].index("pkg/sub/rnn.py")
    assert target["id"] == f"f{index}-L3" and target["inView"]
    assert "tf.contrib.rnn.LSTMCell(3)" in target["text"]
    assert len(_visible_rows(browser)) == len(data["files"])
    browser.find_element("css selector", 'button[data-filter="all"]').click()
    assert _severe(browser) == []
