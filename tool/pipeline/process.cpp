#include "pipeline/process.h"

#include "analysis/sites.h"
#include "python/compile_check.h"
#include "python/limits.h"
#include "python/scopes.h"
#include "rewrite/planner.h"
#include "source/file_io.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace poolify::pipeline {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// PEP 263: a coding declaration in a comment on line 1 or 2.
std::string declaredEncoding(std::string_view body) {
  size_t pos = 0;
  for (int line = 0; line < 2 && pos < body.size(); ++line) {
    size_t end = body.find('\n', pos);
    std::string_view l = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    size_t hash = l.find('#');
    if (hash != std::string_view::npos && l.substr(0, hash).find_first_not_of(" \t\f") == std::string_view::npos) {
      size_t c = l.find("coding", hash);
      if (c != std::string_view::npos && c + 6 < l.size() && (l[c + 6] == ':' || l[c + 6] == '=')) {
        size_t s = c + 7;
        while (s < l.size() && (l[s] == ' ' || l[s] == '\t'))
          ++s;
        size_t e = s;
        while (e < l.size() && (isalnum(static_cast<unsigned char>(l[e])) || l[e] == '-' || l[e] == '_' || l[e] == '.'))
          ++e;
        std::string enc(l.substr(s, e - s));
        std::transform(enc.begin(), enc.end(), enc.begin(), [](unsigned char ch) { return std::tolower(ch); });
        std::replace(enc.begin(), enc.end(), '_', '-');
        return enc;
      }
    }
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
  return "utf-8";
}

bool isUtf8Name(const std::string &enc) { return enc == "utf-8" || enc == "utf8" || enc.rfind("utf-8-", 0) == 0; }

// Encodings in which every ASCII byte means the ASCII character: rewriting ASCII in place is safe.
bool isAsciiCompatible(const std::string &enc) {
  static const char *known[] = {"ascii", "us-ascii", "latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1",
                                "cp1252", "windows-1252", "iso-8859-15", "iso8859-15", "latin-9", "cp1250",
                                "windows-1250", "iso-8859-2", "latin-2", "cp1251", "windows-1251", "koi8-r"};
  return std::find(std::begin(known), std::end(known), enc) != std::end(known) || enc.rfind("iso-8859-", 0) == 0;
}

void say(FileOutcome &out, const LineIndex &lines, size_t offset, size_t base, const std::string &what,
         bool error = true) {
  LineCol lc = lines.at(offset);
  // The BOM is not a character anyone sees: columns on line 1 do not count it.
  if (base > 0 && lc.line == 1 && lc.col > 1)
    lc.col -= 1;
  out.messages.push_back(
      {lc.line, lc.col, fmt::format("{}:{}:{}: {}", out.file.display, lc.line, lc.col, what), error});
}

// A comment `# poolify: ignore` (all rules) or `# poolify: ignore[rule-a, rule-b]`: "*", the
// ids, or "" when the comment is something else.
std::string ignoreMarker(std::string_view comment) {
  size_t hash = comment.find('#');
  if (hash == std::string_view::npos)
    return "";
  std::string_view c = comment.substr(hash + 1);
  size_t k = c.find_first_not_of(" \t");
  if (k == std::string_view::npos || c.substr(k).rfind("poolify:", 0) != 0)
    return "";
  std::string_view rest = c.substr(k + 8);
  size_t w = rest.find_first_not_of(" \t");
  if (w == std::string_view::npos || rest.substr(w).rfind("ignore", 0) != 0)
    return "";
  rest = rest.substr(w + 6);
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    std::string ids(rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    ids.erase(std::remove_if(ids.begin(), ids.end(), [](char ch) { return ch == ' ' || ch == '\t'; }), ids.end());
    return ids.empty() ? "*" : ids;
  }
  if (!rest.empty() && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '#')
    return ""; // `# poolify: ignored` is not the marker
  return "*";
}

std::string normalisedLine(std::string_view text, size_t offset) {
  size_t s = lineStartOf(text, offset), e = lineEndOf(text, offset);
  std::string out;
  bool space = false;
  for (size_t i = s; i < e; ++i) {
    char ch = text[i];
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

// patch("a.b.Client"), mock.patch(...), mocker.patch(...), @patch(...); patch.object(mod, "Client").
void recordMocks(FileOutcome &out, const py::Tree &tree, const py::ScopeModel &model, const LineIndex &lines,
                 size_t base) {
  auto position = [&](TSNode n, MockCandidate &m) {
    LineCol lc = lines.at(base + py::start(n));
    m.line = lc.line;
    m.col = lc.col;
  };
  auto contentOf = [&](TSNode str) -> std::optional<std::string> {
    if (!py::is(str, "string"))
      return std::nullopt;
    std::string content;
    for (uint32_t i = 0; i < ts_node_named_child_count(str); ++i) {
      TSNode c = ts_node_named_child(str, i);
      if (py::is(c, "interpolation"))
        return std::nullopt;
      if (py::is(c, "string_content"))
        content += tree.text(c);
    }
    return content;
  };
  const auto &strings = model.strings();
  for (size_t si = 0; si < strings.size(); ++si) {
    TSNode str = strings[si];
    TSNode args = model.stringParents()[si];
    if (!py::is(args, "argument_list"))
      continue;
    TSNode call = ts_node_parent(args);
    std::string_view fn = tree.text(py::field(call, "function"));
    bool first = py::same(ts_node_named_child(args, 0), str);
    auto endsWith = [&](std::string_view s) {
      return fn.size() >= s.size() && fn.substr(fn.size() - s.size()) == s &&
             (fn.size() == s.size() || fn[fn.size() - s.size() - 1] == '.');
    };
    auto content = contentOf(str);
    if (!content)
      continue;
    if (first && endsWith("patch") && std::count(content->begin(), content->end(), '.') >= 1 &&
        content->find(' ') == std::string::npos) {
      MockCandidate m;
      position(str, m);
      m.target = *content;
      out.mocks.push_back(m);
    } else if (endsWith("object") && fn.size() >= 12 && fn.substr(fn.size() - 12) == "patch.object" &&
               py::same(ts_node_named_child(args, 1), str)) {
      TSNode obj = ts_node_named_child(args, 0);
      if (auto q = model.qualify(obj, model.scopeAt(py::start(obj)))) {
        MockCandidate m;
        position(obj, m);
        m.target = *q + "." + *content;
        m.object = true;
        out.mocks.push_back(m);
      }
    }
  }
}

void recordSites(FileOutcome &out, const py::Tree &tree, const py::ScopeModel &model,
                 const std::vector<analysis::Site> &sites, const rewrite::FilePlan &plan,
                 const std::vector<rules::Rule> &rules, const LineIndex &lines, size_t base) {
  std::string_view text = tree.text();
  // Ignore markers by line: only real comments count (not `#` inside a string).
  LineIndex bodyLines(text);
  std::map<unsigned, std::string> markers;
  for (TSNode c : model.comments())
    if (auto m = ignoreMarker(tree.text(c)); !m.empty())
      markers[bodyLines.lineOf(py::start(c))] = m;
  auto make = [&](SiteRecord::Kind kind, TSNode at, const rules::Rule &rule, const std::string &callable) {
    SiteRecord r;
    r.kind = kind;
    LineCol lc = lines.at(base + py::start(at));
    if (base > 0 && lc.line == 1 && lc.col > 1)
      lc.col -= 1;
    r.line = lc.line;
    r.col = lc.col;
    r.rule = rule.id;
    r.callable = callable;
    r.code = normalisedLine(text, py::start(at));
    r.callee = std::string(tree.text(at));
    if (auto m = markers.find(bodyLines.lineOf(py::start(at))); m != markers.end())
      r.ignore = m->second;
    return r;
  };
  for (size_t i = 0; i < sites.size(); ++i) {
    const auto &s = sites[i];
    SiteRecord::Kind kind = s.inString ? SiteRecord::Kind::String
                            : rewrite::isModuleFile(out.file.path, s.rewrite->replace.module)
                                ? SiteRecord::Kind::PoolDefinition
                            : ts_node_is_null(s.call) ? SiteRecord::Kind::Reference
                                                      : SiteRecord::Kind::Direct;
    SiteRecord r = make(kind, s.callee, *s.rule, s.qname);
    if (i < plan.decisions.size()) {
      r.outcome = plan.decisions[i].outcome;
      r.reason = plan.decisions[i].reason;
    }
    out.records.push_back(std::move(r));
  }
  for (const auto &u : analysis::findPooledUses(tree, model, rules)) {
    SiteRecord r = make(SiteRecord::Kind::Pooled, u.callee, *u.rule, u.qname);
    r.outcome = rewrite::SiteDecision::Outcome::Rewritten;
    out.records.push_back(std::move(r));
  }
  std::stable_sort(out.records.begin(), out.records.end(), [](const SiteRecord &a, const SiteRecord &b) {
    return std::tie(a.line, a.col) < std::tie(b.line, b.col);
  });
  recordMocks(out, tree, model, lines, base);
}

} // namespace

bool SiteRecord::ignoredFor(const std::string &ruleId) const {
  if (ignore.empty())
    return false;
  if (ignore == "*")
    return true;
  size_t i = 0;
  while (i <= ignore.size()) {
    size_t j = ignore.find(',', i);
    if (j == std::string::npos)
      j = ignore.size();
    if (ignore.compare(i, j - i, ruleId) == 0 && j - i == ruleId.size())
      return true;
    i = j + 1;
  }
  return false;
}

std::optional<size_t> firstErrorAfter(std::optional<py::Tree> before, std::string_view edited,
                                      const rewrite::EditSet &edits) {
  // The incremental re-parse gives the fresh parse's tree whenever that has no error; when it
  // finds one, a fresh parse decides, and says where.
  if (before) {
    std::vector<py::TextEdit> changes;
    for (const auto &e : edits.joined())
      changes.push_back({e.offset, e.length, e.text.size()});
    py::Tree after = std::move(*before).reparse(edited, changes);
    if (!after.firstError())
      return std::nullopt;
  }
  return py::Tree::parse(edited).firstError();
}

FileOutcome processText(const source::SourceFile &file, std::string bytes, const std::vector<rules::Rule> &rules,
                        const std::map<uint32_t, rewrite::Removal> &removals) {
  FileOutcome out;
  out.file = file;
  out.original = std::move(bytes);
  std::string_view all = out.original;
  out.hash = contentHash(all);
  out.mentionsClass = all.find("class ") != std::string_view::npos;
  size_t base = all.substr(0, 3) == kBom ? 3 : 0;
  std::string_view body = all.substr(base);
  std::string enc = base ? "utf-8" : declaredEncoding(body);
  // Line positions are needed only for files that are parsed or reported: built on first use.
  std::optional<LineIndex> lineIndex;
  auto linesOf = [&]() -> const LineIndex & {
    if (!lineIndex)
      lineIndex.emplace(all, isUtf8Name(enc));
    return *lineIndex;
  };

  if (size_t nul = all.find('\0'); nul != std::string_view::npos) {
    say(out, linesOf(), nul, base, "error: contains a NUL byte, so it is not Python source; file skipped");
    out.failed = true;
    return out;
  }
  if (isUtf8Name(enc)) {
    if (auto bad = firstInvalidUtf8(all)) {
      say(out, linesOf(), *bad, base,
          fmt::format("error: not valid UTF-8 (byte 0x{:02x}) and no other encoding is declared; file skipped",
                      static_cast<unsigned char>(all[*bad])));
      out.failed = true;
      return out;
    }
  } else if (!isAsciiCompatible(enc)) {
    say(out, linesOf(), 0, base, fmt::format("error: encoding '{}' is not supported; file skipped", enc));
    out.failed = true;
    return out;
  } else {
    out.utf8 = !firstInvalidUtf8(all);
  }
  if (!analysis::mentionsAnyTrigger(body, rules))
    return out;
  const LineIndex &lines = linesOf();
  // A lone CR is a line break to Python; poolify's edits work on LF / CRLF lines only.
  for (size_t cr = all.find('\r'); cr != std::string_view::npos; cr = all.find('\r', cr + 1))
    if (cr + 1 >= all.size() || all[cr + 1] != '\n') {
      say(out, lines, cr, base, "error: a line ends with a lone CR (old Mac line endings), which poolify does not "
                                "edit; file skipped");
      out.failed = true;
      return out;
    }

  rewrite::EditSet edits;
  std::vector<std::string> poolModules;
  // The analysis tree of a file up to this size is kept for an incremental re-parse of the
  // result; a larger file's tree is freed first, so it never holds two trees at once (a tree
  // takes about 80 bytes per byte of source).
  constexpr size_t kKeepTreeBytes = 1 << 20;
  std::optional<py::Tree> analysisTree;
  if (auto p = py::parserLimitProblem(body)) { // the runtime would crash or take minutes: never parsed
    say(out, lines, base + p->offset, base, "error: " + p->message + "; file skipped");
    out.failed = true;
    return out;
  }
  {
    py::Tree tree = py::Tree::parse(body);
    if (auto err = tree.firstError()) {
      say(out, lines, base + *err, base, "error: syntax error; file not rewritten");
      out.failed = true;
      return out;
    }
    py::ScopeModel model(tree);
    auto sites = analysis::findSites(tree, model, rules);
    LineIndex bodyLines(body);
    std::string path = file.path;
    std::replace(path.begin(), path.end(), '\\', '/');
    // Offsets in `removals` are file offsets; the tree sees the text after the BOM.
    std::map<uint32_t, rewrite::Removal> bodyRemovals;
    for (const auto &[offset, r] : removals)
      bodyRemovals[offset - static_cast<uint32_t>(base)] = r;
    rewrite::FilePlan plan = rewrite::planFile(tree, model, sites, path, bodyLines, bodyRemovals);
    recordSites(out, tree, model, sites, plan, rules, lines, base);
    out.facts = analysis::extractClasses(tree, model, sites, plan.decisions, rules, bodyLines);
    for (auto &c : out.facts->classes)
      for (auto &a : c.assignments)
        a.siteOffset += static_cast<uint32_t>(base);
    out.rewritten = plan.rewritten;
    out.left = plan.left;
    out.removed = plan.removed;
    for (const auto &n : plan.notes)
      say(out, lines, base + n.offset, base, fmt::format("{}: {}", n.rule, n.message), false);
    edits = std::move(plan.edits);
    poolModules = std::move(plan.poolModules);
    if (!edits.empty() && body.size() <= kKeepTreeBytes)
      analysisTree.emplace(std::move(tree));
  }
  if (edits.empty())
    return out;
  auto edited = edits.apply(body, file.display);
  if (!edited) {
    out.messages.push_back({0, 0, fmt::format("{}: error: {}; file not rewritten", file.display,
                                              llvm::toString(edited.takeError())),
                            true});
    out.failed = true;
    return out;
  }
  // Safety net: never write a file that parses worse than before.
  if (auto err = firstErrorAfter(std::move(analysisTree), *edited, edits)) {
    LineIndex newLines(*edited);
    LineCol lc = newLines.at(*err);
    out.messages.push_back({0, 0, fmt::format("{}: error: the rewrite would introduce a syntax error at {}:{}; "
                                              "file not rewritten (please report this)",
                                              file.display, lc.line, lc.col),
                            true});
    out.failed = true;
    return out;
  }
  out.updated = std::string(all.substr(0, base)) + *edited;
  if (out.updated == out.original) {
    out.updated.clear();
    return out;
  }
  if (auto p = py::cpythonRejects(out.updated)) { // the last-line guard: never write what CPython rejects
    if (auto was = py::cpythonRejects(all))
      say(out, lines, was->offset, base, "error: CPython rejects this file: " + was->message + "; file not rewritten");
    else
      say(out, LineIndex(out.updated), p->offset, base, "error: the rewrite would make CPython reject the file: " +
                                                            p->message + "; file not rewritten (please report this)");
    out.updated.clear();
    out.failed = true;
    return out;
  }
  for (const auto &e : edits.edits()) {
    out.edits.push_back({e.offset + base, e.length, e.text});
    out.utf8 = out.utf8 && !firstInvalidUtf8(e.text);
  }
  out.poolModules = std::move(poolModules);
  return out;
}

void FileOutcome::release() {
  std::string().swap(original);
  std::string().swap(updated);
  held = false;
}

llvm::Expected<Texts> texts(const FileOutcome &o) {
  Texts t;
  if (o.held) {
    t.original = o.original;
    t.updated = o.changed() ? o.updated : o.original;
    return t;
  }
  auto bytes = source::readFile(o.file.path);
  if (!bytes)
    return bytes.takeError();
  if (contentHash(*bytes) != o.hash)
    return llvm::createStringError(std::errc::resource_unavailable_try_again,
                                   "changed on disk since poolify read it; run poolify again");
  t.original = std::move(*bytes);
  if (!o.changed()) {
    t.updated = t.original;
    return t;
  }
  rewrite::EditSet edits;
  for (const auto &e : o.edits)
    edits.replace(e.offset, e.length, e.text);
  auto updated = edits.apply(t.original, o.file.display);
  if (!updated)
    return updated.takeError();
  t.updated = std::move(*updated);
  return t;
}

std::optional<analysis::FileFacts> classFactsOf(const source::SourceFile &file, const std::vector<rules::Rule> &rules) {
  auto bytes = source::readFile(file.path);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  // The same analysis as any file: a base's own direct client may be rewritten by the run, which
  // makes it a provider.
  FileOutcome out = processText(file, std::move(*bytes), rules);
  if (out.failed)
    return std::nullopt;
  if (out.facts)
    return std::move(out.facts);
  std::string_view all = out.original;
  std::string_view body = all.substr(all.substr(0, 3) == kBom ? 3 : 0);
  py::Tree tree = py::Tree::parse(body); // no trigger word: classes only
  if (tree.firstError())
    return std::nullopt;
  py::ScopeModel model(tree);
  LineIndex lines(body);
  return analysis::extractClasses(tree, model, {}, {}, rules, lines);
}

FileOutcome unreadable(const source::SourceFile &file, llvm::Error error) {
  FileOutcome out;
  out.file = file;
  out.failed = true;
  out.messages.push_back(
      {0, 0, fmt::format("{}: error: {}; file skipped", file.display, llvm::toString(std::move(error))), true});
  return out;
}

FileOutcome processFile(const source::SourceFile &file, const std::vector<rules::Rule> &rules) {
  auto bytes = source::readFile(file.path);
  if (!bytes)
    return unreadable(file, bytes.takeError());
  return processText(file, std::move(*bytes), rules);
}

} // namespace poolify::pipeline
