// The HTML report (see report.h): one deterministic, self-contained HTML5 file. Inline CSS and
// inline SVG only; no scripts, fonts or images. Key numbers carry stable ids and data attributes
// (id="coverage-before", "coverage-after", "files-changed", "sites-left", "overrides-removed";
// category rows data-category="NAME" with cells data-field="...") for tests and scrapers.
// When the diffs would take the page past Document::maxPageBytes, they go on pages of their own
// (Document::pageName, Document::writePage): the main page keeps the summary and every table, with
// links into the diff pages; each diff page is as self-contained as the main one.
#include "output/diff.h"
#include "output/printers.h"
#include "python/highlight.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>

namespace poolify::output {

using model::Counts;
using model::formatPercent;
using model::Manifest;

namespace {

struct DiffStats {
  unsigned added = 0, deleted = 0;
};

struct ReportDiff {
  std::string path;  // display path
  std::string table; // what `poolify migrate` would change, as an HTML table (see renderDiffTable)
  DiffStats stats;
  unsigned rewritten = 0, removed = 0;
};

struct ReportLeft {
  std::string path;
  unsigned line = 0, col = 0;
  std::string rule, reason;
};

struct ReportData {
  const Manifest *before = nullptr;   // coverage now
  const Manifest *after = nullptr;    // coverage once the diffs are applied
  std::vector<ReportDiff> diffs;      // sorted by path
  std::vector<ReportLeft> left;       // sorted by path, line, column
  std::vector<ReportLeft> unanalyzed; // files poolify could not analyze (rule syntax or unanalyzable), by path
  std::vector<std::pair<std::string, model::PatchChange>> patches; // test patches retargeted or left, by test path
  std::string title;                                               // "poolify report: <paths>"
  /// Where the diff of data.diffs[i] is, as a link from the main page: "#file-N" on one page,
  /// "<diff page>#file-N" when the diffs have pages of their own (filled by paginate()).
  std::vector<std::string> diffHref;
  /// The diff pages, when there are: their names as links, and the first diff each holds.
  std::vector<std::string> pageHrefs;
  std::vector<size_t> pageFirst;
};

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

// A file name as a relative link: every byte but unreserved ones (RFC 3986) percent-encoded, so
// names with spaces, '#', '?' or '%' link to themselves.
std::string urlEscape(std::string_view name) {
  std::string out;
  for (unsigned char c : name)
    if (std::isalnum(c) || (c && std::strchr("-._~", c)))
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  return out;
}

std::string span(const char *cls, std::string_view text) {
  return fmt::format("<span class=\"{}\">{}</span>", cls, esc(text));
}

// ---------------------------------------------------------------------------------------------
// Python syntax colouring, from the parse of each whole side of a diff (python/highlight.h), so a
// line inside a multi-line string is coloured as a string.

// One side of a file's diff: its text, where each line starts, and its coloured tokens.
struct Side {
  std::string_view text;
  std::vector<size_t> lineStarts;
  std::vector<py::Token> tokens;

  explicit Side(std::string_view t) : text(t), tokens(py::highlightTokens(t)) {
    lineStarts.push_back(0);
    for (size_t i = 0; i < t.size(); ++i)
      if (t[i] == '\n')
        lineStarts.push_back(i + 1);
  }

  // Line `no` (1-based) without its line ending, as HTML.
  std::string line(unsigned no) const {
    if (no == 0 || no > lineStarts.size())
      return {};
    size_t from = lineStarts[no - 1];
    size_t to = no < lineStarts.size() ? lineStarts[no] : text.size();
    while (to > from && (text[to - 1] == '\n' || text[to - 1] == '\r'))
      --to;
    std::string out;
    auto tok =
        std::lower_bound(tokens.begin(), tokens.end(), from, [](const py::Token &t, size_t at) { return t.end <= at; });
    size_t at = from;
    for (; tok != tokens.end() && tok->start < to; ++tok) {
      size_t s = std::max<size_t>(tok->start, from), e = std::min<size_t>(tok->end, to);
      out += esc(text.substr(at, s - at));
      const char cls[2] = {tok->cls, 0};
      out += span(cls, text.substr(s, e - s));
      at = e;
    }
    return out + esc(text.substr(at, to - at));
  }
};

// ---------------------------------------------------------------------------------------------
// Diffs: a table per file (old and new line numbers, sign, coloured code).

std::string renderDiffTable(const std::vector<Hunk> &hunks, const Side &before, const Side &after, DiffStats &st) {
  std::string out = "<table class=\"diff\"><colgroup><col class=\"ln\"><col class=\"ln\"><col class=\"sign\"><col>"
                    "</colgroup>\n";
  for (const Hunk &h : hunks) {
    unsigned oldNo = h.oldLength == 0 ? h.oldStart : h.oldStart + 1;
    unsigned newNo = h.newLength == 0 ? h.newStart : h.newStart + 1;
    out += fmt::format("<tr class=\"hunk\"><td class=\"ln\"></td><td class=\"ln\"></td><td colspan=\"2\">{}</td>"
                       "</tr>\n",
                       esc(hunkHeader(h)));
    for (const DiffLine &l : h.lines) {
      std::string cls, oldCell, newCell, html;
      if (l.sign == '+') {
        cls = "add", newCell = std::to_string(newNo), html = after.line(newNo++), ++st.added;
      } else if (l.sign == '-') {
        cls = "del", oldCell = std::to_string(oldNo), html = before.line(oldNo++), ++st.deleted;
      } else {
        cls = "ctx", oldCell = std::to_string(oldNo++), newCell = std::to_string(newNo), html = after.line(newNo++);
      }
      out += fmt::format("<tr class=\"{}\"><td class=\"ln\">{}</td><td class=\"ln\">{}</td><td class=\"sign\">{}"
                         "</td><td class=\"code\">{}</td></tr>\n",
                         cls, oldCell, newCell, l.sign == ' ' ? std::string() : std::string(1, l.sign), html);
      if (!l.endsLine())
        out += "<tr class=\"note\"><td class=\"ln\"></td><td class=\"ln\"></td><td colspan=\"2\">No newline at end "
               "of file</td></tr>\n";
    }
  }
  return out + "</table>\n";
}

// ---------------------------------------------------------------------------------------------
// Coverage: a bar per state (now, after migrate) of pooled / fixable direct / other direct sites.

std::string barRow(const char *label, const Counts &c, int y) {
  constexpr double x0 = 40, width = 210;
  std::string out = fmt::format("<text x=\"0\" y=\"{}\" class=\"lbl\">{}</text>", y + 10, label);
  unsigned all = c.pooledSites + c.directSites;
  if (all == 0)
    return out + fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" rx=\"2\" class=\"none\"><title>no "
                             "client sites</title></rect><text x=\"{}\" y=\"{}\" class=\"val\">no sites</text>",
                             x0, y, width, x0 + width + 8, y + 10);
  double x = x0;
  auto seg = [&](unsigned n, const char *cls, const char *what) {
    if (n == 0)
      return;
    double w = width * n / all;
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\" class=\"{}\"><title>{} {}</title>"
                       "</rect>",
                       x, y, w, cls, n, what);
    x += w;
  };
  unsigned fixable = std::min(c.fixableSites, c.directSites);
  seg(c.pooledSites, "pooled", "pooled");
  seg(fixable, "fixable", "direct, fixable by migrate");
  seg(c.directSites - fixable, "direct", "direct, left");
  return out +
         fmt::format("<text x=\"{}\" y=\"{}\" class=\"val\">{}/{}</text>", x0 + width + 8, y + 10, c.pooledSites, all);
}

std::string chart(const std::string &name, const Counts &before, const Counts &after) {
  return fmt::format("<svg class=\"chart\" width=\"300\" height=\"34\" viewBox=\"0 0 300 34\" role=\"img\" "
                     "aria-label=\"{}: {}% pooled now, {}% after migrate\">{}{}</svg>",
                     esc(name), formatPercent(before.coverage()), formatPercent(after.coverage()),
                     barRow("now", before, 2), barRow("after", after, 19));
}

std::string coverageRow(const std::string &name, const Counts &b, const Counts &a, bool total) {
  return fmt::format("<tr {}><th scope=\"row\">{}</th><td data-field=\"files\">{}</td>"
                     "<td data-field=\"direct-sites\">{}</td><td data-field=\"fixable-sites\">{}</td>"
                     "<td data-field=\"pooled-sites\">{}</td><td data-field=\"coverage-before\">{}%</td>"
                     "<td data-field=\"coverage-after\" class=\"after\">{}%</td><td class=\"chart-cell\">{}</td>"
                     "</tr>\n",
                     total ? std::string("id=\"category-total\" class=\"total\"")
                           : fmt::format("data-category=\"{}\"", esc(name)),
                     total ? std::string("Total") : esc(name), b.files, b.directSites, b.fixableSites, b.pooledSites,
                     formatPercent(b.coverage()), formatPercent(a.coverage()), chart(name, b, a));
}

const char *const Style = R"css(
:root{--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--panel:#f6f8fa;--accent:#0969da;--pooled:#2da44e;
--fixable:#e3b341;--direct:#cf222e;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box} a{color:var(--accent)} table{border-collapse:collapse}
body{margin:0;font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:var(--fg)}
.wrap{max-width:1200px;margin:0 auto;padding:0 24px}
header.top{background:#0d1117;color:#f0f6fc;padding:26px 0 22px} h1{font-size:22px;font-weight:600;margin:0 0 2px}
.sub{color:#9198a1;margin:0 0 18px} .stats{display:grid;grid-template-columns:1.7fr 1fr 1fr 1fr;gap:12px}
.stat{background:#161b22;border:1px solid #30363d;border-radius:8px;padding:12px 16px}
.stat .label{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#9198a1}
.stat .value{font-size:30px;font-weight:600;line-height:1.25;font-variant-numeric:tabular-nums}
.stat .to{color:#3fb950} .stat .arrow{color:#656d76;margin:0 8px;font-weight:400}
.stat .hint{font-size:12px;color:#9198a1}
nav.toc{border-bottom:1px solid var(--border);background:var(--panel);position:sticky;top:0;z-index:2}
nav.toc a{display:inline-block;padding:8px 14px 8px 0;text-decoration:none;font-weight:500}
h2{font-size:18px;font-weight:600;margin:28px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h2 .count{color:var(--muted);font-weight:400} p.note{color:var(--muted);margin:4px 0 12px}
code,.mono{font-family:var(--mono);font-size:12.5px}
/* tables: coverage, changed files, sites left, mock targets */
table.grid{width:100%} .grid tbody th{font-weight:600} .grid td.after{color:#1a7f37;font-weight:600}
.grid th,.grid td{padding:5px 10px;border-bottom:1px solid var(--border);text-align:right;
font-variant-numeric:tabular-nums}
.grid thead th{font-size:12px;color:var(--muted);font-weight:600;background:var(--panel)}
.grid th:first-child,.grid td:first-child,.grid .l{text-align:left}
.grid tr.total th,.grid tr.total td{border-top:2px solid var(--fg);font-weight:600}
.files{margin-bottom:20px} .files td{padding:3px 10px} .mocks td{overflow-wrap:anywhere}
.plus{color:#1a7f37} .minus{color:var(--direct)}
.sites tr.group th{padding-top:14px;font-size:13px;text-align:left}
.sites tr.group a{font-weight:400;font-size:12px;margin-left:8px}
.sites td:first-child{width:46%} .sites td:nth-child(2){width:10%}
.badge{display:inline-block;font-size:11px;padding:0 7px;border-radius:10px;background:#eaeef2;color:var(--muted);
margin-left:6px}
.badge.rm{background:#fff1e5;color:#953800}
.rule{font-family:var(--mono);font-size:11.5px;padding:0 6px;border-radius:4px;background:#ddf4ff;color:#0550ae}
/* charts */
td.chart-cell{width:316px;text-align:left;padding:3px 10px}
svg.chart text{font:11px -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;fill:var(--muted)}
.pooled{fill:var(--pooled);background:var(--pooled)} .fixable{fill:var(--fixable);background:var(--fixable)}
.direct{fill:var(--direct);background:var(--direct)} svg.chart .none{fill:#eaeef2}
.legend{color:var(--muted);font-size:12px;margin:0 0 8px} .legend span{margin-right:14px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
/* diffs */
section.file{border:1px solid var(--border);border-radius:8px;margin:14px 0;overflow:hidden;scroll-margin-top:48px}
section.file:target{box-shadow:0 0 0 2px var(--accent)}
section.file>h3{margin:0;font-size:13px;padding:7px 12px;background:var(--panel);border-bottom:1px solid var(--border);
display:flex;align-items:center;gap:6px} section.file>h3 code{font-size:13px;flex:1}
section.file>h3 a.up{font-weight:400;font-size:12px;text-decoration:none}
table.diff{width:100%;table-layout:fixed;font-family:var(--mono);font-size:12.5px;line-height:1.5}
.diff col.ln{width:46px} .diff col.sign{width:18px} .diff td{padding:0 6px;vertical-align:top}
.diff td.ln{color:#8c959f;text-align:right;user-select:none;font-size:11.5px}
.diff td.sign{user-select:none;color:var(--muted)}
.diff td.code{white-space:pre-wrap;overflow-wrap:anywhere;tab-size:4}
.diff tr.add{background:#e6ffec} .diff tr.add td.ln{background:#ccffd8}
.diff tr.del{background:#ffebe9} .diff tr.del td.ln{background:#ffd7d5}
.diff tr.hunk td{background:#ddf4ff;color:var(--muted);padding:3px 8px}
.diff tr.note td{color:var(--muted);font-style:italic}
.k{color:#cf222e} .s{color:#0a3069} .c{color:#6e7781;font-style:italic} .n{color:#0550ae}
.f{color:#8250df;font-weight:600} .b{color:#953800} .d{color:#8250df}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--border);margin-top:36px;padding:14px 0 28px}
)css";

// ---------------------------------------------------------------------------------------------
// The sections of the page.

std::string headerSection(const ReportData &data) {
  const Counts &b = data.before->total, &a = data.after->total;
  unsigned rewritten = 0, removed = 0;
  for (const auto &d : data.diffs)
    rewritten += d.rewritten, removed += d.removed;
  std::string out = fmt::format(
      "<header class=\"top\"><div class=\"wrap\">\n<h1>{0}</h1>\n<p class=\"sub\">What <code>poolify migrate "
      "--apply</code> would change, and what it would leave for a hand fix.</p>\n<div class=\"stats\">\n"
      "<div class=\"stat\"><div class=\"label\">Pool coverage</div><div class=\"value\"><span id=\"coverage-before\" "
      "data-value=\"{1}\">{1}%</span><span class=\"arrow\">&rarr;</span><span class=\"to\" id=\"coverage-after\" "
      "data-value=\"{2}\">{2}%</span></div><div class=\"hint\">{3} of {4} client sites pooled now, {5} of {6} after "
      "migrate</div></div>\n",
      esc(data.title), formatPercent(b.coverage()), formatPercent(a.coverage()), b.pooledSites,
      b.pooledSites + b.directSites, a.pooledSites, a.pooledSites + a.directSites);
  auto stat = [&](const char *label, const char *id, size_t n, const std::string &hint) {
    out += fmt::format("<div class=\"stat\"><div class=\"label\">{0}</div><div class=\"value\" id=\"{1}\" "
                       "data-value=\"{3}\">{3}</div><div class=\"hint\">{2}</div></div>\n",
                       label, id, hint, n);
  };
  stat("Files that would change", "files-changed", data.diffs.size(), counted(rewritten, "site") + " rewritten");
  stat("Sites left", "sites-left", data.left.size(), "direct sites migrate cannot fix");
  stat("Overrides removed", "overrides-removed", removed, "redundant with a base class");
  out += fmt::format("</div>\n</div></header>\n<nav class=\"toc\"><div class=\"wrap\"><a href=\"#coverage\">Coverage"
                     "</a><a href=\"#changes\">Changed files ({})</a><a href=\"#left\">Sites left ({})</a>",
                     data.diffs.size(), data.left.size());
  if (!data.unanalyzed.empty())
    out += fmt::format("<a href=\"#unanalyzed\">Files not analyzed ({})</a>", data.unanalyzed.size());
  if (!data.patches.empty())
    out += fmt::format("<a href=\"#patches\">Test patches ({})</a>", data.patches.size());
  if (!data.before->mockTargets.empty())
    out += fmt::format("<a href=\"#mocks\">Mock targets ({})</a>", data.before->mockTargets.size());
  return out + "</div></nav>\n";
}

std::string coverageSection(const ReportData &data) {
  std::map<std::string, std::pair<Counts, Counts>> cats; // before, after
  for (const auto &[name, c] : data.before->categories)
    cats[name].first = c;
  for (const auto &[name, c] : data.after->categories)
    cats[name].second = c;
  std::string out =
      "<h2 id=\"coverage\">Coverage by category</h2>\n<p class=\"note\">Coverage is pooled sites / (pooled + "
      "direct sites). Counts are for the code as it is now; the bars and the last column show it after "
      "<code>poolify migrate --apply</code>.</p>\n<div class=\"legend\"><span><i class=\"sw pooled\"></i>pooled"
      "</span><span><i class=\"sw fixable\"></i>direct, fixable by migrate</span><span><i class=\"sw direct\"></i>"
      "direct, left</span></div>\n<table class=\"grid coverage\"><thead><tr><th>Category</th><th>Files</th>"
      "<th>Direct sites</th><th>Fixable</th><th>Pooled sites</th><th>Coverage now</th><th>After migrate</th>"
      "<th class=\"l\">Pooled / all sites: now, after</th></tr></thead>\n<tbody>\n";
  for (const auto &[name, c] : cats)
    out += coverageRow(name, c.first, c.second, false);
  return out + coverageRow("total", data.before->total, data.after->total, true) + "</tbody></table>\n";
}

// The diff of data.diffs[i] as a section (id file-N, N from 1 in path order); `up` links back to
// the table of changed files.
std::string diffSection(const ReportData &data, size_t i, const std::string &up) {
  const auto &d = data.diffs[i];
  std::string out = fmt::format("<section class=\"file\" id=\"file-{}\" data-path=\"{}\">\n<h3><code>{}</code>", i + 1,
                                esc(d.path), esc(d.path));
  if (d.rewritten)
    out += fmt::format("<span class=\"badge\">{} rewritten</span>", d.rewritten);
  if (d.removed)
    out += fmt::format("<span class=\"badge rm\">{} override{} removed</span>", d.removed, d.removed == 1 ? "" : "s");
  return out + "<a class=\"up\" href=\"" + esc(up) + "\">&uarr; files</a></h3>\n" + d.table + "</section>\n";
}

// The links to the diff pages, with the files each holds ("files 1-250").
std::string pageLinks(const ReportData &data) {
  std::string out = fmt::format("<p class=\"note\" id=\"diff-pages\">The diffs are on {} of their own:",
                                counted(data.pageHrefs.size(), "page"));
  for (size_t k = 0; k < data.pageHrefs.size(); ++k) {
    size_t first = data.pageFirst[k] + 1;
    size_t last = k + 1 < data.pageFirst.size() ? data.pageFirst[k + 1] : data.diffs.size();
    out += fmt::format("{} <a class=\"mono\" href=\"{}\">{}</a>", k ? "," : "", esc(data.pageHrefs[k]),
                       first == last ? fmt::format("file {}", first) : fmt::format("files {}&ndash;{}", first, last));
  }
  return out + ".</p>\n";
}

std::string changesSection(const ReportData &data) {
  std::string out =
      fmt::format("<h2 id=\"changes\">Changed files <span class=\"count\">({})</span></h2>\n", data.diffs.size());
  if (data.diffs.empty())
    return out + "<p class=\"note\">Nothing to change: <code>poolify migrate</code> would leave every file as it "
                 "is.</p>\n";
  bool paged = !data.pageHrefs.empty();
  if (paged)
    out += pageLinks(data);
  out += "<table class=\"grid files\"><thead><tr><th>File</th><th>Lines</th><th>Sites rewritten</th>"
         "<th>Overrides removed</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < data.diffs.size(); ++i)
    out += fmt::format("<tr><td><a class=\"mono\" href=\"{}\">{}</a></td><td class=\"mono\"><span "
                       "class=\"plus\">+{}</span> <span class=\"minus\">&minus;{}</span></td><td>{}</td><td>{}</td>"
                       "</tr>\n",
                       esc(data.diffHref[i]), esc(data.diffs[i].path), data.diffs[i].stats.added,
                       data.diffs[i].stats.deleted, data.diffs[i].rewritten, data.diffs[i].removed);
  out += "</tbody></table>\n";
  if (!paged)
    for (size_t i = 0; i < data.diffs.size(); ++i)
      out += diffSection(data, i, "#changes");
  return out;
}

// Sites left: one table, a group of rows per file (linking to the file's diff when it changes).
std::string leftSection(const ReportData &data) {
  std::string out =
      fmt::format("<h2 id=\"left\">Sites left <span class=\"count\">({})</span></h2>\n", data.left.size());
  if (data.left.empty())
    return out + "<p class=\"note\">None: after <code>poolify migrate --apply</code> every client site uses a "
                 "pool.</p>\n";
  std::map<std::string, size_t> diffIndex; // path -> N of #file-N
  for (size_t i = 0; i < data.diffs.size(); ++i)
    diffIndex.emplace(data.diffs[i].path, i + 1);
  out += "<p class=\"note\">Direct client sites that <code>poolify migrate</code> leaves as they are, with the "
         "reason. Fix them by hand or mark them <code># poolify: ignore</code>.</p>\n<table class=\"grid sites\">"
         "<thead><tr><th>Site</th><th class=\"l\">Rule</th><th class=\"l\">Reason</th></tr></thead>\n";
  for (size_t i = 0; i < data.left.size();) {
    const std::string &path = data.left[i].path;
    size_t j = i;
    while (j < data.left.size() && data.left[j].path == path)
      ++j;
    auto it = diffIndex.find(path);
    out += fmt::format("<tbody class=\"left-file\" data-path=\"{}\"><tr class=\"group\"><th colspan=\"3\"><code>"
                       "{}</code><span class=\"badge\">{} left</span>{}</th></tr>\n",
                       esc(path), esc(path), j - i,
                       it == diffIndex.end()
                           ? std::string()
                           : fmt::format("<a href=\"{}\">see diff</a>", esc(data.diffHref[it->second - 1])));
    for (; i < j; ++i) {
      const auto &l = data.left[i];
      std::string loc = fmt::format("{}:{}:{}", l.path, l.line, l.col);
      out += fmt::format("<tr data-site=\"{0}\"><td class=\"l mono\">{0}</td><td class=\"l\"><span class=\"rule\">{1}"
                         "</span></td><td class=\"l\">{2}</td></tr>\n",
                         esc(loc), esc(l.rule), esc(l.reason));
    }
    out += "</tbody>\n";
  }
  return out + "</table>\n";
}

// Files poolify could not analyze (a syntax error, a file CPython rejects, bytes it does not edit):
// their clients are neither counted nor migrated, as `check` reports them (rules syntax, unanalyzable).
std::string unanalyzedSection(const std::vector<ReportLeft> &files) {
  if (files.empty())
    return {};
  std::string out = fmt::format(
      "<h2 id=\"unanalyzed\">Files not analyzed <span class=\"count\">({})</span></h2>\n<p class=\"note\">poolify "
      "could not analyze these files, so their clients are neither counted above nor migrated. Fix them, or exclude "
      "them in <code>poolify.yaml</code>.</p>\n<table class=\"grid unanalyzed\"><thead><tr><th>File</th><th "
      "class=\"l\">Rule</th><th class=\"l\">Reason</th></tr></thead><tbody>\n",
      files.size());
  for (const auto &f : files)
    out += fmt::format("<tr data-file=\"{0}\"><td class=\"l mono\">{0}:{1}:{2}</td><td class=\"l\"><span "
                       "class=\"rule\">{3}</span></td><td class=\"l\">{4}</td></tr>\n",
                       esc(f.path), f.line, f.col, esc(f.rule), esc(f.reason));
  return out + "</tbody></table>\n";
}

// Test patches that stop intercepting once the sites they name use the pool.
std::string mocksSection(const std::vector<model::MockTarget> &mocks) {
  if (mocks.empty())
    return {};
  std::string out = fmt::format(
      "<h2 id=\"mocks\">Mock targets that stop intercepting <span class=\"count\">({})</span></h2>\n<p "
      "class=\"note\">These patches name a site that migrate rewrites or removes: once migrated they intercept "
      "nothing. Patch the pooled function instead.</p>\n<table class=\"grid mocks\"><thead><tr><th>Patch</th><th "
      "class=\"l\">Target</th><th class=\"l\">Site</th></tr></thead><tbody>\n",
      mocks.size());
  for (const auto &t : mocks)
    out += fmt::format("<tr><td class=\"l mono\">{}:{}:{}</td><td class=\"l mono\">{}</td><td class=\"l mono\">"
                       "{}:{}:{}</td></tr>\n",
                       esc(t.path), t.line, t.col, esc(t.target), esc(t.sitePath), t.siteLine, t.siteCol);
  return out + "</tbody></table>\n";
}

// Test patches the run retargets to the pooled callable, and those left for a hand fix.
std::string patchesSection(const ReportData &data) {
  if (data.patches.empty())
    return {};
  std::string out = fmt::format(
      "<h2 id=\"patches\">Test patches <span class=\"count\">({})</span></h2>\n<p class=\"note\">Patches of a "
      "module whose sites migrate rewrites follow the code: they patch the pooled callable of that module instead. "
      "A reason means a person must finish the change.</p>\n<table class=\"grid mocks\"><thead><tr><th>Patch</th><th "
      "class=\"l\">Before</th><th class=\"l\">After</th><th class=\"l\">Hand fix</th></tr></thead><tbody>\n",
      data.patches.size());
  for (const auto &[path, p] : data.patches)
    out += fmt::format("<tr><td class=\"l mono\">{}:{}:{}</td><td class=\"l mono\">{}</td><td class=\"l mono\">{}"
                       "</td><td class=\"l\">{}</td></tr>\n",
                       esc(path), p.line, p.col, esc(p.before), esc(p.after), esc(p.handFix));
  return out + "</tbody></table>\n";
}

} // namespace

namespace {

const char *const PageStart = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta "
                              "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta "
                              "name=\"generator\" content=\"poolify {0}\">\n<title>{1}</title>\n<style>{2}</style>\n"
                              "</head>\n<body>\n";
const char *const PageEnd = "</main>\n<footer><div class=\"wrap\">Generated by poolify {0}. A self-contained file: "
                            "no scripts, no network access.</div></footer>\n</body>\n</html>\n";

std::string renderReport(const ReportData &data) {
  return fmt::format(PageStart, POOLIFY_VERSION, esc(data.title), Style) + headerSection(data) +
         "<main class=\"wrap\">\n" + coverageSection(data) + changesSection(data) + leftSection(data) +
         unanalyzedSection(data.unanalyzed) + patchesSection(data) + mocksSection(data.before->mockTargets) +
         fmt::format(PageEnd, POOLIFY_VERSION);
}

// Diff page k (from 0) of the paged report: the sections it holds, between links back to the main
// page and to the pages before and after it.
std::string renderDiffPage(const ReportData &data, size_t k, const std::string &mainHref,
                           const std::vector<std::string> &sections) {
  size_t first = data.pageFirst[k], last = k + 1 < data.pageFirst.size() ? data.pageFirst[k + 1] : data.diffs.size();
  std::string title = fmt::format("{}: changed files {}\u2013{}", data.title, first + 1, last);
  std::string out = fmt::format(PageStart, POOLIFY_VERSION, esc(title), Style);
  out += fmt::format("<header class=\"top\"><div class=\"wrap\">\n<h1>{}</h1>\n<p class=\"sub\">Changed files {}"
                     "&ndash;{} of {}: diff page {} of {}.</p>\n</div></header>\n<nav class=\"toc\"><div "
                     "class=\"wrap\"><a rel=\"index\" href=\"{}#changes\">&larr; Report</a>",
                     esc(data.title), first + 1, last, data.diffs.size(), k + 1, data.pageHrefs.size(), esc(mainHref));
  if (k > 0)
    out += fmt::format("<a rel=\"prev\" href=\"{}\">Previous page</a>", esc(data.pageHrefs[k - 1]));
  if (k + 1 < data.pageHrefs.size())
    out += fmt::format("<a rel=\"next\" href=\"{}\">Next page</a>", esc(data.pageHrefs[k + 1]));
  out += "</div></nav>\n<main class=\"wrap\">\n";
  for (size_t i = first; i < last; ++i)
    out += sections[i];
  return out + fmt::format(PageEnd, POOLIFY_VERSION);
}

// Collects each changed file's hunks and each site left; renders the page at the end.
class HtmlPrinter : public Printer {
public:
  explicit HtmlPrinter(llvm::raw_ostream &os) : os_(os) {}

  llvm::Error file(const Document &doc, const model::FileOutcome &o) override {
    for (const auto &r : o.records)
      if (r.needsHandFix())
        data_.left.push_back({o.file->display(), r.line, r.col, r.rule,
                              r.unsafeFix() ? "unsafe fix, applied with --unsafe-fixes: " + r.reason : r.reason});
    for (const auto &m : o.messages)
      if (!m.rule.empty()) // the message that says why the file could not be analyzed
        data_.unanalyzed.push_back({o.file->display(), m.line, m.col, m.rule, m.reason});
    for (const auto &p : o.patches)
      data_.patches.push_back({o.file->display(), p});
    if (!o.changed())
      return llvm::Error::success();
    auto texts = doc.texts(o);
    if (!texts)
      return texts.takeError();
    Side before(texts->original), after(texts->updated);
    ReportDiff d{o.file->display(), {}, {}, o.rewritten, o.removed};
    d.table = renderDiffTable(diffHunks(texts->original, texts->updated), before, after, d.stats);
    data_.diffs.push_back(std::move(d));
    return llvm::Error::success();
  }

  void finish(const Document &doc) override {
    static const Manifest none;
    data_.title = doc.title;
    data_.before = doc.manifest ? doc.manifest : &none;
    data_.after = doc.after ? doc.after : &none;
    for (size_t i = 0; i < data_.diffs.size(); ++i)
      data_.diffHref.push_back(fmt::format("#file-{}", i + 1));
    std::string page = renderReport(data_);
    if (doc.maxPageBytes && page.size() > doc.maxPageBytes && doc.pageName && doc.writePage && !data_.diffs.empty())
      page = paginate(doc);
    os_ << page;
  }

private:
  // Puts the diffs on pages of their own, each under doc.maxPageBytes when its diffs allow (a
  // single diff larger than that gets a page to itself), hands them to doc.writePage and returns
  // the main page, which links to them.
  std::string paginate(const Document &doc) {
    std::string mainHref = urlEscape(doc.pageName(0));
    std::vector<std::string> sections;
    for (size_t i = 0; i < data_.diffs.size(); ++i)
      sections.push_back(diffSection(data_, i, mainHref + "#changes"));
    // The frame of a diff page: everything but its sections, with room for the links' numbers.
    size_t frame = fmt::format(PageStart, POOLIFY_VERSION, esc(data_.title), Style).size() + 1024 +
                   3 * (mainHref.size() + 2 * urlEscape(doc.pageName(sections.size())).size());
    size_t budget = doc.maxPageBytes > frame ? doc.maxPageBytes - frame : 0, used = 0;
    for (size_t i = 0; i < sections.size(); ++i) {
      if (data_.pageFirst.empty() || used + sections[i].size() > budget) {
        data_.pageFirst.push_back(i);
        used = 0;
      }
      used += sections[i].size();
    }
    for (size_t k = 0; k < data_.pageFirst.size(); ++k)
      data_.pageHrefs.push_back(urlEscape(doc.pageName(k + 1)));
    for (size_t k = 0, i = 0; k < data_.pageFirst.size(); ++k)
      for (size_t last = k + 1 < data_.pageFirst.size() ? data_.pageFirst[k + 1] : sections.size(); i < last; ++i)
        data_.diffHref[i] = fmt::format("{}#file-{}", data_.pageHrefs[k], i + 1);
    for (size_t k = 0; k < data_.pageFirst.size(); ++k)
      doc.writePage(doc.pageName(k + 1), renderDiffPage(data_, k, mainHref, sections));
    return renderReport(data_);
  }

  llvm::raw_ostream &os_;
  ReportData data_;
};

} // namespace

std::unique_ptr<Printer> htmlPrinter(llvm::raw_ostream &os) { return std::make_unique<HtmlPrinter>(os); }

} // namespace poolify::output
