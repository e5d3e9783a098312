#include "pipeline/process.h"

#include "analysis/configures.h"
#include "analysis/decide.h"
#include "analysis/sites.h"
#include "pipeline/intercept.h"
#include "pipeline/reader.h"
#include "pipeline/uses.h"
#include "python/compile_check.h"
#include "python/limits.h"
#include "python/scopes.h"
#include "rewrite/patches.h"
#include "rewrite/rewriter.h"
#include "source/file_io.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

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
  static const char *known[] = {"ascii",      "us-ascii", "latin-1",      "latin1",       "iso-8859-1",
                                "iso8859-1",  "l1",       "cp1252",       "windows-1252", "iso-8859-15",
                                "iso8859-15", "latin-9",  "cp1250",       "windows-1250", "iso-8859-2",
                                "latin-2",    "cp1251",   "windows-1251", "koi8-r"};
  return std::find(std::begin(known), std::end(known), enc) != std::end(known) || enc.rfind("iso-8859-", 0) == 0;
}

// A message at `offset`; `rule` set: the error that stops the file (its finding in `check`).
void say(model::FileOutcome &out, const LineIndex &lines, size_t offset, size_t base, const std::string &what,
         const char *rule = nullptr) {
  LineCol lc = lines.at(offset);
  // The BOM is not a character anyone sees: columns on line 1 do not count it.
  if (base > 0 && lc.line == 1 && lc.col > 1)
    lc.col -= 1;
  model::Message m{lc.line,         lc.col, fmt::format("{}:{}:{}: {}", out.file->display(), lc.line, lc.col, what),
                   rule != nullptr, "",     ""};
  if (rule) {
    m.rule = rule;
    m.reason = model::failureReason(what);
  }
  out.messages.push_back(std::move(m));
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

// A site's line as Unicode text, for the baseline (JSON): bytes of an ASCII-compatible encoding
// other than UTF-8 decoded by that encoding (latin-1 and cp1252 exactly), else as \xNN escapes.
std::string decodedLine(const std::string &line, const std::string &enc) {
  if (!firstInvalidUtf8(line))
    return line;
  static const uint16_t cp1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  bool latin1 = enc == "latin-1" || enc == "latin1" || enc == "iso-8859-1" || enc == "iso8859-1" || enc == "l1";
  bool windows = enc == "cp1252" || enc == "windows-1252";
  std::string out;
  for (unsigned char c : line) {
    unsigned cp = c;
    if (c >= 0x80 && windows && c < 0xA0)
      cp = cp1252[c - 0x80];
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((latin1 || windows) && cp != 0) {
      if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
      } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      }
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

// patch("a.b.Client"), mock.patch(...), mocker.patch(...), @patch(...); patch.object(mod, "Client");
// monkeypatch.setattr("a.b.Client", ...), monkeypatch.setattr(mod, "Client", ...).
void recordMocks(model::FileOutcome &out, const py::Tree &tree, const py::ScopeModel &model, const LineIndex &lines,
                 size_t base) {
  std::vector<rewrite::PatchCall> calls = rewrite::findPatchCalls(tree, model);
  for (const auto &p : calls) {
    model::MockCandidate m;
    LineCol lc = lines.at(base + p.offset());
    m.line = lc.line;
    m.col = lc.col;
    m.target = p.target;
    m.object = !ts_node_is_null(p.object);
    m.constant = p.constant;
    m.offset = static_cast<uint32_t>(base + p.offset());
    out.mocks.push_back(m);
  }
  for (uint32_t at : rewrite::findComputedTargets(tree, model))
    say(out, lines, base + at, base,
        "patch: a test patch target built at run time: poolify cannot tell which calls it intercepts, nor retarget "
        "it; check this test after migrating");
  // A dotted string a patch may take at run time: recorded as a target poolify never edits.
  for (const auto &t : rewrite::findIndirectTargets(tree, model, calls)) {
    model::MockCandidate m;
    LineCol lc = lines.at(base + t.offset);
    m.line = lc.line;
    m.col = lc.col;
    m.target = t.target;
    m.constant = fmt::format("the string at line {} (a target a patch may take)", lc.line);
    m.offset = static_cast<uint32_t>(base + t.offset);
    out.mocks.push_back(m);
  }
}

// The `# poolify: ignore` markers of a file by line (only real comments: not `#` inside a string).
std::map<unsigned, std::string> ignoreMarkersByLine(const py::Tree &tree, const py::ScopeModel &model,
                                                    const LineIndex &bodyLines) {
  std::map<unsigned, std::string> markers;
  for (TSNode c : model.comments())
    if (auto m = ignoreMarker(tree.text(c)); !m.empty())
      markers[bodyLines.lineOf(py::start(c))] = m;
  return markers;
}

// `migrate` honours `# poolify: ignore[...]` as `check` does: a site on a line marked for its rule
// is left, with the marker as the reason (so neither rewritten nor counted as fixable, and a base
// class whose client is ignored does not pool it for its subclasses).
void leaveIgnored(const py::Tree &tree, const py::ScopeModel &model, const std::vector<analysis::Site> &sites,
                  std::vector<model::Verdict> &verdicts) {
  LineIndex bodyLines(tree.text());
  std::map<unsigned, std::string> markers = ignoreMarkersByLine(tree, model, bodyLines);
  if (markers.empty())
    return;
  for (size_t i = 0; i < sites.size(); ++i) {
    model::Verdict &v = verdicts[i];
    if (v.outcome == model::Outcome::Left || v.outcome == model::Outcome::LeftMissing)
      continue;
    auto m = markers.find(bodyLines.lineOf(py::start(sites[i].callee))); // the line check reports
    if (m == markers.end())
      continue;
    if (!model::ignoreCovers(m->second, sites[i].rule->id))
      continue;
    std::string why = m->second == "*" ? "ignored by `# poolify: ignore` on its line"
                                       : fmt::format("ignored by `# poolify: ignore[{}]` on its line", m->second);
    model::Verdict left;
    left.outcome = model::Outcome::Left;
    left.reason = why;
    left.notes = {"left: " + why};
    v = std::move(left);
  }
}

// The (line, col) of a node in the file as a SiteRecord names it: after a BOM (`base` bytes), the
// first line's columns count from the text after it.
std::pair<unsigned, unsigned> recordLineCol(const LineIndex &lines, size_t base, TSNode at) {
  LineCol lc = lines.at(base + py::start(at));
  if (base > 0 && lc.line == 1 && lc.col > 1)
    lc.col -= 1;
  return {lc.line, lc.col};
}

// Sites whose object other code of the run configures or closes through the name it is held in
// (pipeline/reduce.cpp: leaveConfiguredElsewhere): left, with the reason that names that code.
void leaveConfiguredElsewhere(const std::vector<analysis::Site> &sites, std::vector<model::Verdict> &verdicts,
                              const analysis::FileContext &context, const LineIndex &lines, size_t base) {
  if (context.configuredElsewhere.empty())
    return;
  for (size_t i = 0; i < sites.size() && i < verdicts.size(); ++i) {
    model::Verdict &v = verdicts[i];
    if (v.outcome != model::Outcome::Rewritten && v.outcome != model::Outcome::Unsafe)
      continue;
    auto why = context.configuredElsewhere.find(recordLineCol(lines, base, sites[i].callee));
    if (why == context.configuredElsewhere.end())
      continue;
    model::Verdict left;
    left.outcome = model::Outcome::Left;
    left.reason = why->second;
    left.notes = {"left: " + why->second};
    v = std::move(left);
  }
}

// Sites held so that a test's patch keeps intercepting them (pipeline/intercept.h): their rewrite
// (or removal) becomes an unsafe fix whose reason names the test and its patch target.
void holdPatchedSites(const std::vector<analysis::Site> &sites, std::vector<model::Verdict> &verdicts,
                      const analysis::FileContext &context, const LineIndex &lines, size_t base) {
  if (context.holds.empty())
    return;
  for (size_t i = 0; i < sites.size() && i < verdicts.size(); ++i) {
    model::Verdict &v = verdicts[i];
    if (!model::isFix(v.outcome))
      continue;
    auto held = context.holds.find(recordLineCol(lines, base, sites[i].callee));
    if (held == context.holds.end())
      continue;
    v.unsafe += (v.unsafe.empty() ? "" : "; ") + held->second;
    v.notes.push_back(
        fmt::format("{}: {}", context.unsafeFixes ? "unsafe fix applied" : "unsafe fix, applied with --unsafe-fixes",
                    held->second));
    if (!context.unsafeFixes)
      v.outcome = model::Outcome::Unsafe;
  }
}

// Code in `scope` runs when the module is imported: no function or lambda encloses it (a default
// value or a decorator runs in the scope around its function, a class body and a comprehension at
// module level when the module runs).
bool runsAtImport(const py::ScopeModel &model, int scope) {
  for (int s = scope; s > 0; s = model.scopes()[s].parent)
    if (model.scopes()[s].kind == py::ScopeKind::Function || model.scopes()[s].kind == py::ScopeKind::Lambda)
      return false;
  return true;
}

void recordSites(model::FileOutcome &out, const py::Tree &tree, const py::ScopeModel &model,
                 const std::vector<analysis::Site> &sites, const std::vector<model::Verdict> &verdicts,
                 const std::vector<rules::Rule> &rules, const LineIndex &lines, size_t base) {
  std::string_view text = tree.text();
  LineIndex bodyLines(text);
  std::map<unsigned, std::string> markers = ignoreMarkersByLine(tree, model, bodyLines);
  auto make = [&](model::SiteRecord::Kind kind, TSNode at, const rules::Rule &rule, const std::string &callable) {
    model::SiteRecord r;
    r.kind = kind;
    std::tie(r.line, r.col) = recordLineCol(lines, base, at);
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
    model::SiteRecord::Kind kind = s.inString ? model::SiteRecord::Kind::String
                                   : analysis::isModuleFile(out.file->path, s.rewrite->replace.module)
                                       ? model::SiteRecord::Kind::PoolDefinition
                                   : ts_node_is_null(s.call) ? model::SiteRecord::Kind::Reference
                                                             : model::SiteRecord::Kind::Direct;
    model::SiteRecord r = make(kind, s.callee, *s.rule, s.qname);
    r.atImport = runsAtImport(model, s.scope);
    if (i < verdicts.size()) {
      r.outcome = verdicts[i].outcome;
      r.reason = verdicts[i].unsafe.empty() ? verdicts[i].reason : verdicts[i].unsafe;
      r.removal = !verdicts[i].removal.comment.empty();
      r.hookClass = verdicts[i].hookClass;
      r.hookAttr = verdicts[i].hookAttr;
      if (r.outcome == model::Outcome::Rewritten) {
        r.pooled = verdicts[i].callee;
        r.inferred = !verdicts[i].inferred.empty();
      }
      if (r.outcome == model::Outcome::Rewritten || r.outcome == model::Outcome::Unsafe)
        r.holders = verdicts[i].holders;
    }
    out.records.push_back(std::move(r));
  }
  for (const auto &u : analysis::findPooledUses(tree, model, rules)) {
    model::SiteRecord r = make(model::SiteRecord::Kind::Pooled, u.callee, *u.rule, u.qname);
    r.outcome = model::Outcome::Rewritten;
    out.records.push_back(std::move(r));
  }
  std::stable_sort(out.records.begin(), out.records.end(), [](const model::SiteRecord &a, const model::SiteRecord &b) {
    return std::tie(a.line, a.col) < std::tie(b.line, b.col);
  });
  recordMocks(out, tree, model, lines, base);
}

} // namespace

std::optional<size_t> firstErrorAfter(std::optional<py::Tree> before, std::string_view edited,
                                      const rewrite::EditSet &edits, std::optional<py::Tree> *after) {
  auto keep = [&](py::Tree tree) -> std::optional<size_t> {
    auto err = tree.firstError();
    if (!err && after)
      after->emplace(std::move(tree));
    return err;
  };
  // The incremental re-parse gives the fresh parse's tree whenever that has no error; when it
  // finds one, a fresh parse decides, and says where.
  if (before) {
    std::vector<py::TextEdit> changes;
    for (const auto &e : edits.joined())
      changes.push_back({e.offset, e.length, e.text.size()});
    py::Tree reparsed = std::move(*before).reparse(edited, changes);
    if (!reparsed.firstError())
      return keep(std::move(reparsed));
  }
  return keep(py::Tree::parse(edited));
}

namespace {

// One file's text through the pipeline, step by step; each step returns false when the file
// fails (its outcome then says why).
class FileProcessor {
public:
  FileProcessor(model::FileOutcome &out, const std::vector<rules::Rule> &rules) : out_(out), rules_(rules) {
    all_ = out_.original;
    base_ = all_.substr(0, 3) == kBom ? 3 : 0;
    body_ = all_.substr(base_);
    enc_ = base_ ? "utf-8" : declaredEncoding(body_);
  }

  // A file that can hold a site, or a test patch of a callable a migrated module imported by name.
  bool mentionsTrigger() const {
    return analysis::mentionsAnyTrigger(body_, rules_) || analysis::mayPatchACallable(body_, rules_);
  }

  // Bytes poolify cannot treat as Python text it may edit: NUL bytes, bytes the declared encoding
  // does not allow, encodings that are not ASCII-compatible.
  bool decodable() {
    if (size_t nul = all_.find('\0'); nul != std::string_view::npos)
      return fail(nul, "error: contains a NUL byte, so it is not Python source; file skipped");
    if (isUtf8Name(enc_)) {
      if (auto bad = firstInvalidUtf8(all_))
        return fail(*bad, fmt::format("error: not valid UTF-8 (byte 0x{:02x}) and no other encoding is declared; "
                                      "file skipped",
                                      static_cast<unsigned char>(all_[*bad])));
    } else if (!isAsciiCompatible(enc_)) {
      return fail(0, fmt::format("error: encoding '{}' is not supported; file skipped", enc_));
    } else {
      out_.utf8 = !firstInvalidUtf8(all_);
    }
    return true;
  }

  // A lone CR is a line break to Python; poolify's edits work on LF / CRLF lines only.
  bool editableLineEnds() {
    for (size_t cr = all_.find('\r'); cr != std::string_view::npos; cr = all_.find('\r', cr + 1))
      if (cr + 1 >= all_.size() || all_[cr + 1] != '\n')
        return fail(cr, "error: a line ends with a lone CR (old Mac line endings), which poolify does not edit; "
                        "file skipped");
    return true;
  }

  // Parses, finds the sites, decides them, records what was found and plans the edits.
  bool analyze(const analysis::FileContext &context) {
    if (auto p = py::parserLimitProblem(body_)) // the runtime would crash or take minutes: never parsed
      return fail(base_ + p->offset, "error: " + p->message + "; file skipped");
    py::Tree tree = py::Tree::parse(body_);
    if (auto err = tree.firstError())
      return fail(base_ + *err, "error: syntax error; file not rewritten", kSyntax);
    // What tree-sitter accepts and CPython 3 does not (Python 2's print and exec statements, ...).
    if (auto p = py::cpythonRejects(all_, tree))
      return fail(p->offset, "error: CPython rejects this file: " + p->message + "; file not rewritten", kSyntax);
    py::ScopeModel model(tree);
    if (context.reachFacts)
      out_.reach = reachFactsFrom(tree, model);
    auto sites = analysis::findSites(tree, model, rules_);
    LineIndex bodyLines(body_);
    std::string path = out_.file->path;
    std::replace(path.begin(), path.end(), '\\', '/');
    // Offsets of removals are file offsets; the tree sees the text after the BOM.
    analysis::FileContext bodyContext;
    bodyContext.poolProblem = context.poolProblem;
    bodyContext.poolCallProblem = context.poolCallProblem;
    bodyContext.unsafeFixes = context.unsafeFixes;
    bodyContext.keepImports = context.keepImports;
    bodyContext.starClashes = context.starClashes;
    bodyContext.baseProvided = context.baseProvided;
    for (const auto &[offset, r] : context.removals)
      bodyContext.removals[offset - static_cast<uint32_t>(base_)] = r;
    for (const auto &s : sites) // (line, col) as recordSites counts them
      if (!context.baseProvided.empty() && context.baseProvided.count(recordLineCol(lines(), base_, s.callee)))
        bodyContext.baseProvidedOffsets.insert(py::start(s.callee));
    std::vector<model::Verdict> verdicts = analysis::decideSites(tree, model, sites, path, bodyLines, bodyContext);
    leaveIgnored(tree, model, sites, verdicts);
    leaveConfiguredElsewhere(sites, verdicts, context, lines(), base_);
    holdPatchedSites(sites, verdicts, context, lines(), base_);
    recordSites(out_, tree, model, sites, verdicts, rules_, lines(), base_);
    for (auto &r : out_.records) // stored in JSON baselines: text, not the file's bytes
      r.code = decodedLine(r.code, enc_);
    out_.facts = analysis::extractClasses(tree, model, sites, verdicts, rules_, bodyLines);
    for (auto &c : out_.facts->classes)
      for (auto &a : c.assignments)
        a.siteOffset += static_cast<uint32_t>(base_);
    rewrite::PatchPlan patches = planPatches(tree, model, context.retargets);
    tally(sites, verdicts, patches);
    std::vector<rewrite::ImportChange> importChanges;
    edits_ = rewrite::rewriteFile(tree, model, sites, verdicts, bodyContext.keepImports, &importChanges);
    noteImportChanges(importChanges);
    retargetPatches(patches);
    // The analysis tree is kept for an incremental re-parse of the result, which shares every
    // subtree the edits did not touch: faster than a fresh parse, and no second tree (a tree takes
    // about 80 bytes per byte of source, a long list several times that). Past 1 MB that holds
    // only where edits are sparse (measured: two edits in a 3 MB list line, 2.1 s less; 100,000
    // edits in 4.6 MB, 0.4 s more); a large file densely edited frees its tree first.
    constexpr size_t kKeepTreeBytes = 1 << 20;
    constexpr size_t kBytesPerEdit = 4096;
    bool sparse = edits_.edits().size() <= body_.size() / kBytesPerEdit;
    if (!edits_.empty() && (body_.size() <= kKeepTreeBytes || sparse))
      tree_.emplace(std::move(tree));
    return true;
  }

  // Applies the edits in memory; the result must parse as well as the input did. Not inlined: it is
  // one call per changed file, and a frame of its own gives the safety net's share of a profile
  // (scripts/bench.sh reports it).
  [[gnu::noinline]] bool verifyAndKeep() {
    if (edits_.empty())
      return true;
    auto edited = edits_.apply(body_, out_.file->display());
    if (!edited)
      return failWhole(fmt::format("error: {}; file not rewritten", llvm::toString(edited.takeError())));
    // Safety net: never write a file that parses worse than before. The tree of the result is
    // kept for the CPython check below: the result is parsed once.
    std::optional<py::Tree> after;
    if (auto err = firstErrorAfter(std::move(tree_), *edited, edits_, &after)) {
      LineCol lc = LineIndex(*edited).at(*err);
      return failWhole(fmt::format("error: the rewrite would introduce a syntax error at {}:{}; file not rewritten "
                                   "(please report this)",
                                   lc.line, lc.col));
    }
    out_.updated = std::string(all_.substr(0, base_)) + *edited;
    if (out_.updated == out_.original) {
      out_.updated.clear();
      return true;
    }
    // The last-line guard: never write what CPython rejects (over the tree the safety net parsed).
    if (auto p = py::cpythonRejectsParsed(out_.updated, *after)) {
      out_.updated.clear();
      return failWhole(fmt::format("error: the rewrite would make CPython reject the file ({}); file not rewritten "
                                   "(please report this)",
                                   p->message));
    }
    for (const auto &e : edits_.edits()) {
      out_.edits.push_back({e.offset + base_, e.length, e.text});
      out_.utf8 = out_.utf8 && !firstInvalidUtf8(e.text);
    }
    out_.poolModules = std::move(poolModules_);
    return true;
  }

private:
  // Line positions are needed only for files that are parsed or reported: built on first use.
  const LineIndex &lines() {
    if (!lines_)
      lines_.emplace(all_, isUtf8Name(enc_));
    return *lines_;
  }

  bool fail(size_t offset, const std::string &what, const char *rule = kUnanalyzable) {
    say(out_, lines(), offset, base_, what, rule);
    out_.failed = true;
    return false;
  }

  bool failWhole(const std::string &what) {
    out_.messages.push_back(
        {0, 0, fmt::format("{}: {}", out_.file->display(), what), true, kUnanalyzable, model::failureReason(what)});
    out_.failed = true;
    return false;
  }

  // Module-level imports left unused: the removed ones are remembered (the reduce step looks for
  // other modules that use them), the kept ones said with --explain.
  void noteImportChanges(const std::vector<rewrite::ImportChange> &changes) {
    for (const auto &c : changes) {
      if (!c.keptBecause.empty()) {
        say(out_, lines(), base_ + c.offset, base_, fmt::format("{}: import kept: {}", c.rule, c.keptBecause));
        continue;
      }
      LineCol lc = lines().at(base_ + c.offset);
      if (base_ > 0 && lc.line == 1 && lc.col > 1)
        lc.col -= 1;
      out_.removedImports.push_back({c.name, c.rule, lc.line, lc.col});
    }
  }

  // Counts and --explain notes of the verdicts; the pool modules the rewritten sites now use. A
  // string that is a test patch target the run retargets (or says needs a hand fix) is explained
  // by that decision (retargetPatches), not by the note every string site gets: it is counted the
  // same.
  void tally(const std::vector<analysis::Site> &sites, const std::vector<model::Verdict> &verdicts,
             const rewrite::PatchPlan &patches) {
    std::set<uint32_t> decided; // body offsets of the patch targets said by retargetPatches
    for (const auto &[offset, change] : patches.changes)
      if (!change.after.empty() || !change.handFix.empty())
        decided.insert(offset);
    for (size_t i = 0; i < verdicts.size(); ++i) {
      const model::Verdict &v = verdicts[i];
      out_.rewritten += v.outcome == model::Outcome::Rewritten;
      out_.removed += v.outcome == model::Outcome::Removed;
      out_.left += v.outcome == model::Outcome::Left || v.outcome == model::Outcome::LeftMissing ||
                   v.outcome == model::Outcome::Unsafe;
      bool saidByPatch = sites[i].inString && decided.count(py::start(sites[i].callee));
      for (const auto &n : v.notes)
        if (!saidByPatch)
          say(out_, lines(), base_ + py::start(sites[i].callee), base_, fmt::format("{}: {}", sites[i].rule->id, n));
      if (v.outcome == model::Outcome::Rewritten &&
          std::find(poolModules_.begin(), poolModules_.end(), v.poolModule) == poolModules_.end())
        poolModules_.push_back(v.poolModule);
    }
    std::sort(poolModules_.begin(), poolModules_.end());
  }

  // The test patches the run retargets in this file (offsets in the file), planned: the edits and
  // what becomes of each (offsets in the body).
  rewrite::PatchPlan planPatches(const py::Tree &tree, const py::ScopeModel &model,
                                 const std::vector<model::PatchRetarget> &retargets) const {
    if (retargets.empty())
      return {};
    std::vector<model::PatchRetarget> body = retargets;
    for (auto &r : body)
      r.offset -= static_cast<uint32_t>(base_);
    return rewrite::retargetPatches(tree, model, body, rules_);
  }

  // The planned retargets: their edits, and what became of each, said under --explain.
  void retargetPatches(rewrite::PatchPlan &plan) {
    edits_.append(plan.edits);
    for (auto &[offset, change] : plan.changes) {
      LineCol lc = lines().at(base_ + offset); // as the MockCandidate's position
      change.line = lc.line;
      change.col = lc.col;
      if (!change.after.empty())
        say(out_, lines(), base_ + offset, base_,
            fmt::format("{}: test patch retargeted: {} -> {} ({} uses the pool)", change.rule, change.before,
                        change.after, change.modulePath));
      if (!change.handFix.empty())
        say(out_, lines(), base_ + offset, base_,
            fmt::format("{}: test patch {} needs a hand fix: {}", change.rule, change.before, change.handFix));
      out_.patches.push_back(std::move(change));
    }
  }

  model::FileOutcome &out_;
  const std::vector<rules::Rule> &rules_;
  std::string_view all_, body_;
  size_t base_ = 0;
  std::string enc_;
  std::optional<LineIndex> lines_;
  rewrite::EditSet edits_;
  std::vector<std::string> poolModules_;
  std::optional<py::Tree> tree_;
};

} // namespace

model::FileOutcome processText(const model::SourceFile &file, std::string bytes, const std::vector<rules::Rule> &rules,
                               const analysis::FileContext &context) {
  model::FileOutcome out;
  out.file = file;
  out.original = std::move(bytes);
  out.hash = contentHash(out.original);
  out.mentionsClass = out.original.find("class ") != std::string::npos;
  FileProcessor p(out, rules);
  if (!p.decodable())
    return out;
  // What it configures or closes of objects other files hold: read from every file, parsed or not.
  out.configures = analysis::scanConfigUses(out.original, analysis::configuringAttributes(rules));
  // Whether it may star-import: the modules it would import names from are looked for by every
  // command (reduce.cpp: avoidStarClashes), without reading the others again.
  out.mayStar = mayStarImport(out.original);
  if (p.mentionsTrigger() && p.editableLineEnds() && p.analyze(context))
    p.verifyAndKeep();
  return out;
}

std::optional<model::FileFacts> classFactsOf(const model::SourceFile &file, std::string bytes,
                                             const std::vector<rules::Rule> &rules,
                                             const analysis::FileContext &context) {
  // The same analysis as any file: a base's own direct client may be rewritten by the run, which
  // makes it a provider.
  model::FileOutcome out = processText(file, std::move(bytes), rules, context);
  if (out.failed)
    return std::nullopt;
  if (out.facts)
    return std::move(*out.facts);
  std::string_view all = out.original;
  std::string_view body = all.substr(all.substr(0, 3) == kBom ? 3 : 0);
  py::Tree tree = py::Tree::parse(body); // no trigger word: classes only
  if (tree.firstError())
    return std::nullopt;
  py::ScopeModel model(tree);
  LineIndex lines(body);
  return analysis::extractClasses(tree, model, {}, {}, rules, lines);
}

model::FileOutcome unreadable(const model::SourceFile &file, llvm::Error error) {
  model::FileOutcome out;
  out.file = file;
  out.failed = true;
  std::string reason = llvm::toString(std::move(error));
  out.messages.push_back(
      {0, 0, fmt::format("{}: error: {}; file skipped", file.display(), reason), true, kUnanalyzable, reason});
  return out;
}

model::FileOutcome processFile(const model::SourceFile &file, const std::vector<rules::Rule> &rules,
                               const analysis::FileContext &context) {
  auto bytes = readSource(file);
  if (!bytes)
    return unreadable(file, bytes.takeError());
  return processText(file, std::move(*bytes), rules, context);
}

} // namespace poolify::pipeline
