"""The page of `tfmigrate report`: one self-contained HTML file (inline CSS and script, no network).

It draws the data of migration.py: progress overall and per folder as bars,
the blockers holding most files back with the files they block, and every
file with its status; a file with findings has a section listing them, each
linked to an anchor on its source line (`#f3-L12`, `#f3-c2-L5` in a notebook
cell), where the line is shown with the findings on it.
"""
from __future__ import annotations

import os
from html import escape
from typing import Any, Dict, List, Sequence

MEANING = {  # HTML
    "clean": "no TensorFlow 1 code left: nothing to do",
    "idiomatic": "<code>tfmigrate fix --unsafe-fixes</code> rewrites it into idiomatic TensorFlow 2",
    "compat-only": "<code>fix --unsafe-fixes</code> keeps it running on <code>tensorflow.compat.v1</code>;"
                   " its blockers say why",
    "manual": "findings that no fix removes: work by hand",
    "error": "could not be checked (unreadable, or not Python 3)",
}

_CSS = """
:root{--clean:#2e7d32;--idiomatic:#1565c0;--compat-only:#ef8f00;--manual:#c62828;--error:#6a1b9a;--line:#ddd}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main{max-width:1100px;margin:0 auto;padding:0 20px}
header{padding-top:20px}
h1{font-size:1.6em;margin:.2em 0}
h2{margin-top:1.6em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05em;margin:0 0 .4em}
nav a{margin-right:1em}
code,.src{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:#f0f0f0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:22px;border-radius:4px;overflow:hidden;background:#e0e0e0;min-width:120px}
.bar.small{height:12px}
.bar span{display:block;height:100%}
.s-clean{background:var(--clean)}.s-idiomatic{background:var(--idiomatic)}
.s-compat-only{background:var(--compat-only)}.s-manual{background:var(--manual)}.s-error{background:var(--error)}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:0 8px;font-size:.82em;white-space:nowrap}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-1px;margin-right:4px}
.file{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:12px 0}
.error-text{color:var(--error)}
.line{border-left:3px solid var(--line);margin:6px 0;padding:2px 8px;background:#f6f8fa}
.line:target{border-left-color:#d4a000;background:#fff8d6}
.ln{display:inline-block;min-width:5em;color:#666;text-decoration:none}
.src{white-space:pre-wrap;word-break:break-word}
.line ul{margin:2px 0 2px 5em;padding-left:1em}
.blocker-tag{color:var(--manual);font-weight:600;font-size:.85em}
details summary{cursor:pointer}
.filters button{margin:0 4px 8px 0;padding:3px 10px;border:1px solid #bbb;border-radius:14px;background:#fff;cursor:pointer}
.filters button[aria-pressed=true]{background:#1d1d1f;color:#fff}
.indent{display:inline-block}
td.folder{white-space:nowrap}
"""

_SCRIPT = """
(function () {
  "use strict";
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  function show(status) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-status]"), function (element) {
      element.hidden = status !== "all" && element.getAttribute("data-status") !== status;
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-filter") === status));
    });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-filter")); });
  });
  function hiddenTarget(hash) {
    var target = hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    return target && target.closest("[hidden]") ? target : null;
  }
  // A link to a file the filter hides shows every file first, so the browser can scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link && hiddenTarget(link.getAttribute("href"))) show("all");
  });
  function reveal() {  // an address typed or followed from elsewhere
    var target = hiddenTarget(location.hash);
    if (target) {
      show("all");
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
})();
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "0.0%"


def _bar(counts: Dict[str, int], statuses: Sequence[str], small: bool = False) -> str:
    total = sum(counts.values())
    label = ", ".join(f"{counts[s]} {s}" for s in statuses)
    parts = "".join(
        f'<span class="s-{s}" style="width:{_pct(counts[s], total)}" title="{_e(s)}: {counts[s]}"></span>'
        for s in statuses if counts[s]
    )
    return f'<div class="bar{" small" if small else ""}" role="img" aria-label="{_e(label)}">{parts}</div>'


def _badge(status: str) -> str:
    return f'<span class="badge s-{_e(status)}">{_e(status)}</span>'


def _anchor(index: int, place: Dict[str, Any]) -> str:
    cell = f"-c{place['cell']}" if place.get("cell") is not None else ""
    return f"f{index}{cell}-L{place['line']}"


def _where(place: Dict[str, Any]) -> str:
    cell = f"cell {place['cell']}:" if place.get("cell") is not None else ""
    return f"{cell}{place['line']}:{place['column']}"


def _progress(data: Dict[str, Any]) -> List[str]:
    totals, statuses = data["totals"], data["statuses"]
    files = totals["files"]
    rows = "".join(
        f'<tr><td><span class="swatch s-{s}"></span>{_e(s)}</td><td class="num">{totals[s]}</td>'
        f'<td class="num">{_pct(totals[s], files)}</td><td>{MEANING[s]}</td></tr>'
        for s in statuses
    )
    return [
        '<section id="progress"><h2>Progress</h2>',
        f"<p>{files} files, {totals['findings']} findings, {totals['blockers']} of them blockers.</p>",
        _bar({s: totals[s] for s in statuses}, statuses),
        '<table class="legend"><tr><th>status</th><th class="num">files</th><th class="num">share</th>'
        f"<th>meaning</th></tr>{rows}</table></section>",
    ]


def _folders(data: Dict[str, Any]) -> List[str]:
    statuses = data["statuses"]
    out = ['<section id="folders"><h2>By folder</h2><table><tr><th>folder</th><th class="num">files</th>'
           "<th>progress</th>" + "".join(f'<th class="num">{_e(s)}</th>' for s in statuses) + "</tr>"]
    for folder in data["folders"]:
        indent = f'<span class="indent" style="width:{1.2 * folder["depth"]:.1f}em"></span>'
        cells = "".join(f'<td class="num">{folder["counts"][s]}</td>' for s in statuses)
        shown = folder["path"] if folder["depth"] == 0 else os.path.basename(folder["path"])  # indented below its parent
        out.append(f'<tr><td class="folder" title="{_e(folder["path"])}">{indent}<code>{_e(shown)}</code></td>'
                   f'<td class="num">{folder["files"]}</td>'
                   f'<td>{_bar(folder["counts"], statuses, small=True)}</td>{cells}</tr>')
    out.append("</table></section>")
    return out


def _blockers(data: Dict[str, Any], index: Dict[str, int]) -> List[str]:
    out = ['<section id="blockers"><h2>Blockers</h2>']
    if not data["blockers"]:
        out.append("<p>None: no finding keeps a file from becoming idiomatic TensorFlow 2.</p></section>")
        return out
    out.append("<p>What holds files back from idiomatic TensorFlow 2, the most files first.</p><ol>")
    for group in data["blockers"]:
        title = f"<code>{_e(group['code'])}</code>" + (f" {_e(group['name'])}" if group["name"] else "")
        if group["reason"]:
            title += f": {_e(group['reason'])}"
        links = "".join(
            f'<li><a href="#{_anchor(index[b["path"]], b)}">{_e(b["path"])}:{_e(_where(b))}</a></li>'
            for b in group["blocked"]
        )
        out.append(f"<li><details><summary><b>{group['files']} file{'' if group['files'] == 1 else 's'}</b>"
                   f" ({group['findings']} finding{'' if group['findings'] == 1 else 's'}) {title}</summary>"
                   f"<ul>{links}</ul></details></li>")
    out.append("</ol></section>")
    return out


def _file_rows(data: Dict[str, Any]) -> List[str]:
    statuses = data["statuses"]
    counts = data["totals"]
    buttons = [f'<button type="button" data-filter="all" aria-pressed="true">all ({counts["files"]})</button>']
    buttons += [f'<button type="button" data-filter="{_e(s)}" aria-pressed="false">{_e(s)} ({counts[s]})</button>'
                for s in statuses if counts[s]]
    out = ['<section id="files"><h2>Files</h2>', f'<div class="filters">{"".join(buttons)}</div>',
           '<table id="file-table"><tr><th>file</th><th>status</th><th>first reason</th></tr>']
    for number, item in enumerate(data["files"]):
        name = _e(item["path"])
        if item["findings"] or item["error"]:
            name = f'<a href="#f{number}">{name}</a>'
        reason = item["reason"]
        if reason is not None:
            told = (f'<a href="#{_anchor(number, reason)}">{_e(_where(reason))}</a> '
                    f"<code>{_e(reason['code'])}</code> {_e(reason['message'])}")
        elif item["error"]:
            told = f'<span class="error-text">{_e(item["error"])}</span>'
        else:
            told = ""
        out.append(f'<tr data-status="{_e(item["status"])}"><td><code>{name}</code></td>'
                   f'<td>{_badge(item["status"])}</td><td>{told}</td></tr>')
    out.append("</table>")
    return out


def _file_section(number: int, item: Dict[str, Any]) -> str:
    parts = [f'<section class="file" id="f{number}" data-status="{_e(item["status"])}">',
             f'<h3><code>{_e(item["path"])}</code> {_badge(item["status"])}</h3>']
    if item["error"]:
        parts.append(f'<p class="error-text">{_e(item["error"])}</p>')
    if item["findings"]:
        parts.append('<table class="findings"><tr><th>where</th><th>rule</th><th>message</th><th>fix</th></tr>')
        for finding in item["findings"]:
            rule = f"<code>{_e(finding['code'])}</code>" + (f" {_e(finding['name'])}" if finding["name"] else "")
            tag = ' <span class="blocker-tag">blocker</span>' if finding["blocker"] else ""
            parts.append(f'<tr><td><a class="loc" href="#{_anchor(number, finding)}">{_e(_where(finding))}</a></td>'
                         f"<td>{rule}</td><td>{_e(finding['message'])}{tag}</td><td>{_e(finding['fix'] or '')}</td></tr>")
        parts.append("</table>")
        parts.append(_source(number, item["findings"]))
    parts.append("</section>")
    return "".join(parts)


def _source(number: int, findings: Sequence[Dict[str, Any]]) -> str:
    """Each line that has findings, once, with its anchor and the findings on it."""
    lines: Dict[str, List[Dict[str, Any]]] = {}
    for finding in findings:
        lines.setdefault(_anchor(number, finding), []).append(finding)
    out = ['<div class="source">']
    for anchor, on_line in lines.items():
        first = on_line[0]
        label = (f"cell {first['cell']}:" if first["cell"] is not None else "") + f"{first['line']}"
        notes = "".join(f"<li><code>{_e(f['code'])}</code> {_e(f['message'])}</li>" for f in on_line)
        out.append(f'<div class="line" id="{anchor}"><a class="ln" href="#{anchor}">{_e(label)}</a>'
                   f'<span class="src">{_e(first["source"])}</span><ul>{notes}</ul></div>')
    out.append("</div>")
    return "".join(out)


def migration_html(data: Dict[str, Any]) -> str:
    """The whole page."""
    index = {item["path"]: number for number, item in enumerate(data["files"])}
    where = ", ".join(data["paths"]) or "."
    version = data["tool"]["version"]
    body: List[str] = [
        "<header><h1>TensorFlow 2 migration report</h1>",
        f"<p>{data['totals']['files']} files in <code>{_e(where)}</code>, checked by tfmigrate {_e(version)}.</p>",
        '<nav><a href="#progress">Progress</a><a href="#folders">By folder</a><a href="#blockers">Blockers</a>'
        '<a href="#files">Files</a></nav></header><main>',
    ]
    body += _progress(data) + _folders(data) + _blockers(data, index) + _file_rows(data)
    body += [_file_section(n, item) for n, item in enumerate(data["files"]) if item["findings"] or item["error"]]
    body.append("</section></main>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,"><title>tfmigrate: migration report</title>'
        f"<style>{_CSS}</style></head><body>{''.join(body)}<script>{_SCRIPT}</script></body></html>\n"
    )
