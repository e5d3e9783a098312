#include "pipeline/uses.h"

#include "pipeline/reader.h"
#include "python/limits.h"
#include "python/nodes.h"
#include "python/scopes.h"
#include "source/discover.h"
#include "source/modules.h"
#include "support/text.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <sys/stat.h>

namespace poolify::pipeline {

namespace fs = llvm::sys::fs;
namespace lpath = llvm::sys::path;

std::string realPath(const std::string &p) {
  llvm::SmallString<256> out;
  if (fs::real_path(p, out))
    return p;
  return std::string(out);
}

FilesByPath::FilesByPath(const std::vector<model::SourceFile> &files) : files_(files) {
  llvm::SmallString<256> cwd;
  if (!fs::current_path(cwd))
    cwd_ = std::string(cwd);
  byHash_.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    byHash_.emplace_back(std::hash<std::string>()(absolute(i)), i);
  std::sort(byHash_.begin(), byHash_.end());
}

std::string FilesByPath::absolute(size_t i) const {
  if (auto joined = source::joinedAbsolute(files_[i].path, cwd_)) // no `.` or `..` to keep or drop
    return std::move(*joined);
  llvm::SmallString<256> abs(files_[i].path);
  if (!lpath::is_absolute(abs) && !cwd_.empty()) {
    abs = cwd_;
    lpath::append(abs, files_[i].path);
  }
  lpath::remove_dots(abs, /*remove_dot_dot=*/false); // `..` after a link is not the folder above
  return std::string(abs);
}

std::optional<size_t> FilesByPath::find(const std::string &path) const {
  size_t hash = std::hash<std::string>()(path);
  std::optional<size_t> found; // of several names of one path, the last (as a map filled in order would keep)
  for (auto it = std::lower_bound(byHash_.begin(), byHash_.end(), std::make_pair(hash, size_t(0)));
       it != byHash_.end() && it->first == hash; ++it)
    if (absolute(it->second) == path)
      found = it->second;
  if (found)
    return found;
  auto id = [](const std::string &p) -> std::optional<std::pair<uint64_t, uint64_t>> {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0)
      return std::nullopt;
    return std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  };
  std::call_once(byInodeMade_, [&] {
    for (size_t i = 0; i < files_.size(); ++i)
      if (auto key = id(files_[i].path))
        byInode_[*key] = i; // the last of several names of one file, as real paths would
  });
  auto key = id(path);
  if (!key)
    return std::nullopt;
  auto it = byInode_.find(*key);
  return it == byInode_.end() ? std::nullopt : std::optional<size_t>(it->second);
}

std::vector<std::string> splitDotted(const std::string &dotted) {
  std::vector<std::string> parts;
  size_t b = 0;
  for (size_t e; (e = dotted.find('.', b)) != std::string::npos; b = e + 1)
    parts.push_back(dotted.substr(b, e - b));
  parts.push_back(dotted.substr(b));
  return parts;
}

namespace {

// One dotted name a file reaches for, and how (for the reason --explain gives).
struct Use {
  enum class Kind { FromImport, Attribute, String, Star } kind;
  std::string dotted; // absolute, or with leading dots (relative to the file's package)
  uint32_t offset;    // in the file's text (BOM included)
};

struct Scanned {
  bool parsed = false;
  bool hasAll = false; // the module assigns __all__ at module level
  std::vector<Use> uses;
};

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// File i of the run read again (hash-checked, Run::reread), and where its text starts after a UTF-8
// BOM; nullopt when it cannot be read.
std::optional<std::pair<std::string, uint32_t>> readBody(const Run &run, size_t i) {
  auto bytes = run.reread(i);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  uint32_t base = std::string_view(*bytes).substr(0, 3) == kBom ? 3 : 0;
  return std::make_pair(std::move(*bytes), base);
}

// The identifier that starts at i (empty when none does).
std::string_view wordAt(std::string_view text, size_t i) {
  size_t j = i;
  while (j < text.size() && identifierByte(text[j]))
    ++j;
  return text.substr(i, j - i);
}

// Whether `text` holds one of `words` as a word (names, dotted parts, words in strings).
bool mentionsWord(std::string_view text, const std::unordered_set<std::string_view> &words) {
  uint64_t lengths = 0; // a word of another length is not looked up (most are not: hashing them was the cost)
  for (std::string_view w : words)
    lengths |= uint64_t(1) << std::min<size_t>(w.size(), 63);
  for (size_t i = 0, n = text.size(); i < n;) {
    if (!identifierByte(text[i])) {
      ++i;
      continue;
    }
    std::string_view w = wordAt(text, i);
    if ((lengths >> std::min<size_t>(w.size(), 63) & 1) && words.count(w))
      return true;
    i += w.size();
  }
  return false;
}

// Skips spaces, tabs, form feeds and line continuations (a backslash before a line break) from i on.
size_t skipBlank(std::string_view text, size_t i) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\f')
      ++i;
    else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r'))
      i += text.compare(i + 1, 2, "\r\n") == 0 ? 3 : 2;
    else
      break;
  }
  return i;
}

// Whether the `from` that ends at i starts a from-import whose module is relative or ends with one of
// `modules` (`from pkg.exporter import ...`, `from . import ...`, `from .a import ...`).
bool importsFromOneOf(std::string_view text, size_t i, const std::unordered_set<std::string_view> &modules) {
  bool relative = false;
  std::string_view last;
  for (i = skipBlank(text, i); i < text.size();) {
    if (text[i] == '.') {
      relative = relative || last.empty();
      i = skipBlank(text, i + 1);
      continue;
    }
    std::string_view w = wordAt(text, i);
    if (w.empty())
      return false;
    if (w == "import")
      return (relative || !last.empty()) && (relative || modules.count(last));
    last = w;
    i = skipBlank(text, i + w.size());
  }
  return false;
}

// Where the last character before i that is not blank is, going back across line breaks (npos when
// none; `unsure` when a line crossed may end in a comment, which could hide anything).
size_t previousSignificant(std::string_view text, size_t i, bool &unsure) {
  while (i > 0) {
    char c = text[i - 1];
    if (c == ' ' || c == '\t' || c == '\f' || c == '\\') {
      --i;
    } else if (c == '\n' || c == '\r') { // (a lone \r ends a line too)
      --i;
      size_t lineStart = i;
      while (lineStart > 0 && text[lineStart - 1] != '\n' && text[lineStart - 1] != '\r')
        --lineStart;
      if (text.substr(lineStart, i - lineStart).find('#') != std::string_view::npos)
        unsure = true;
    } else {
      return i - 1;
    }
  }
  return std::string_view::npos;
}

std::optional<std::string> stringContent(const py::Tree &tree, TSNode str) {
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
}

// A dotted Python name ("pkg.mod.name"), as a patch target spells one.
bool isDottedName(const std::string &s) {
  if (s.empty() || s.find('.') == std::string::npos)
    return false;
  bool start = true;
  for (char c : s) {
    if (c == '.') {
      if (start)
        return false;
      start = true;
    } else if (identifierByte(c) && !(start && std::isdigit(static_cast<unsigned char>(c)))) {
      start = false;
    } else {
      return false;
    }
  }
  return !start;
}

std::string withoutSpace(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += c;
  return out;
}

// The dotted names a parsed file reaches for: what its imports bind, the attribute chains on
// names bound by imports (`pkg.a.bigquery`, and `patch.object(a, "bigquery")` as `a.bigquery`),
// the dotted strings (patch targets), and its star imports.
void collectUses(const py::Tree &tree, const py::ScopeModel &model, uint32_t base, Scanned &out) {
  for (const auto &b : model.bindings()) {
    if (b.kind == py::BindingKind::Import && py::is(b.statement, "import_from_statement"))
      out.uses.push_back({Use::Kind::FromImport, b.qname, base + py::start(b.node)});
    if (b.name == "__all__" && b.scope == 0)
      out.hasAll = true;
  }
  tree.nodes().forEachNamed(0, [&](TSNode n) {
    if (py::is(n, "import_from_statement")) {
      for (uint32_t i = 0; i < ts_node_named_child_count(n); ++i)
        if (py::is(ts_node_named_child(n, i), "wildcard_import"))
          out.uses.push_back(
              {Use::Kind::Star, withoutSpace(tree.text(py::field(n, "module_name"))), base + py::start(n)});
      return false;
    }
    return true;
  });
  for (const auto &r : model.references()) {
    if (r.inString)
      continue;
    auto target = model.importTarget(r.name, r.scope);
    if (!target)
      continue;
    std::string dotted = *target;
    TSNode node = r.node;
    for (TSNode parent = tree.parent(node); py::is(parent, "attribute") && py::same(py::field(parent, "object"), node);
         parent = tree.parent(node)) {
      dotted += "." + std::string(tree.text(py::field(parent, "attribute")));
      node = parent;
    }
    out.uses.push_back({Use::Kind::Attribute, dotted, base + py::start(r.node)});
    // `patch.object(mod, "name")`, `monkeypatch.setattr(mod, "name", ...)`, `getattr(mod, "name")`.
    TSNode args = tree.parent(node);
    if (py::is(args, "argument_list") && py::same(ts_node_named_child(args, 0), node) &&
        ts_node_named_child_count(args) > 1)
      if (auto name = stringContent(tree, ts_node_named_child(args, 1)))
        out.uses.push_back({Use::Kind::Attribute, dotted + "." + *name, base + py::start(r.node)});
  }
  for (TSNode str : model.strings())
    if (auto content = stringContent(tree, str); content && isDottedName(*content))
      out.uses.push_back({Use::Kind::String, *content, base + py::start(str)});
}

// Whether a component of `dotted` after its module's first (any component of a relative name: its
// dots are the package) is one of `wanted`: what usesFromOtherModules looks up in a use.
bool namesOneOf(std::string_view dotted, const std::unordered_set<std::string_view> &wanted) {
  size_t dots = std::min(dotted.find_first_not_of('.'), dotted.size());
  std::string_view rest = dotted.substr(dots);
  for (bool first = true; !rest.empty(); first = false) {
    size_t end = std::min(rest.find('.'), rest.size());
    if ((dots || !first) && wanted.count(rest.substr(0, end)))
      return true;
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return false;
}

// Parses file i of the run (read again, hash-checked) when it may use one of `wanted` (mayUse, with
// `modules`; `always`: whatever it holds) and collects its uses.
Scanned scan(const Run &run, size_t i, const std::unordered_set<std::string_view> &wanted, bool always = false,
             const std::unordered_set<std::string_view> *modules = nullptr) {
  Scanned out;
  auto read = readBody(run, i);
  if (!read)
    return out;
  uint32_t base = read->second;
  std::string_view body = std::string_view(read->first).substr(base);
  if (!always && !mayUse(body, wanted, modules))
    return out;
  if (py::parserLimitProblem(body))
    return out; // the analysis skipped it too
  py::Tree tree = py::Tree::parse(body);
  if (tree.firstError())
    return out; // not importable either: it cannot reach for anything
  py::ScopeModel model(tree);
  out.parsed = true;
  collectUses(tree, model, base, out);
  // Only a use that may name one of `wanted` is kept (a run holds every file's uses at once).
  out.uses.erase(
      std::remove_if(out.uses.begin(), out.uses.end(),
                     [&](const Use &u) { return u.kind != Use::Kind::Star && !namesOneOf(u.dotted, wanted); }),
      out.uses.end());
  out.uses.shrink_to_fit();
  return out;
}

std::string join(const std::vector<std::string> &parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += (i ? "." : "") + parts[i];
  return out;
}

std::string describe(const Use &u, const std::string &where, const std::string &name, const std::string &through) {
  switch (u.kind) {
  case Use::Kind::FromImport:
    return fmt::format("{} imports {} from this module", where, name);
  case Use::Kind::Attribute:
    return fmt::format("{} uses {}", where, through);
  case Use::Kind::String:
    return fmt::format("{} names \"{}\"", where, u.dotted);
  case Use::Kind::Star:
    break;
  }
  return fmt::format("{} imports * from this module, which has no __all__", where);
}

// The files that removed names, by real path (real path -> file index).
std::map<std::string, size_t> targetsOf(const Run &run, const std::map<size_t, std::set<std::string>> &removed) {
  std::map<std::string, size_t> targets;
  for (const auto &[file, names] : removed)
    targets[realPath(run.found.files[file].path)] = file;
  return targets;
}

// Every name some file removed (views of `removed`).
std::unordered_set<std::string_view> removedNames(const std::map<size_t, std::set<std::string>> &removed) {
  std::unordered_set<std::string_view> wanted;
  for (const auto &[file, names] : removed)
    for (const auto &n : names)
      wanted.insert(n);
  return wanted;
}

// Scans every file of the run for uses of `wanted`, in parallel. A file that removed names is
// parsed again only for the names other files removed (its own uses do not count, and it may be
// huge): whether it has __all__ is asked when a star import takes from it.
std::vector<Scanned> scanFiles(const Run &run, const std::map<size_t, std::set<std::string>> &removed,
                               const std::unordered_set<std::string_view> &wanted) {
  const auto &files = run.found.files;
  std::vector<size_t> all(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    all[i] = i;
  std::vector<Scanned> scanned(files.size());
  std::map<std::string, size_t, std::less<>> removers; // name -> files that removed it
  for (const auto &[file, names] : removed)
    for (const auto &n : names)
      ++removers[n];
  // The names the removers' modules go by last (`exporter` for pkg/exporter.py, `pkg` for
  // pkg/__init__.py): a file that names none of them cannot reach one (mayUse).
  std::set<std::string> moduleNames;
  for (const auto &[file, _] : removed) {
    llvm::StringRef path = files[file].path;
    llvm::StringRef stem = lpath::stem(path);
    moduleNames.insert((stem == "__init__" ? lpath::filename(lpath::parent_path(path)) : stem).str());
  }
  std::unordered_set<std::string_view> modules(moduleNames.begin(), moduleNames.end());
  parallelFor(all, run.options.jobs, [&](size_t i) {
    auto own = removed.find(i);
    if (own == removed.end()) {
      scanned[i] = scan(run, i, wanted, false, &modules);
      return;
    }
    std::unordered_set<std::string_view> others;
    for (const auto &[name, count] : removers)
      if (count > own->second.count(name))
        others.insert(name);
    if (!others.empty())
      scanned[i] = scan(run, i, others, false, &modules);
  });
  return scanned;
}

// The uses of one name (or the star imports of one module) found in other files.
struct Found {
  std::string first; // the first use (files in path order, uses in text order)
  size_t more = 0;   // other files with a use
  size_t last = SIZE_MAX;
};

using FoundUses = std::map<size_t, std::map<std::string, Found>>; // target -> name -> uses

// Counts a use in `file`: the first one says why, later files are counted.
void countUse(Found &f, size_t file, const std::function<std::string()> &why) {
  if (f.first.empty())
    f.first = why();
  else if (f.last != file)
    ++f.more;
  f.last = file;
}

// A star import takes every public name of a module without __all__ (one with __all__ takes what
// it lists, which the module's own analysis keeps: a name in __all__ is a use).
void addStarUses(const Run &run, const std::map<size_t, std::set<std::string>> &removed,
                 const std::unordered_set<std::string_view> &wanted, const std::vector<Scanned> &scanned,
                 const std::map<size_t, Found> &stars, FoundUses &found) {
  for (const auto &[target, star] : stars) {
    bool hasAll = scanned[target].parsed ? scanned[target].hasAll : scan(run, target, wanted, true).hasAll;
    if (hasAll)
      continue;
    for (const auto &name : removed.at(target))
      if (!name.empty() && name[0] != '_') {
        Found &f = found[target][name];
        if (f.first.empty())
          f = star;
        else
          f.more += 1 + star.more; // (a file may be counted twice: one with a star import that uses it too)
      }
  }
}

// Why each name is kept: the first use, and how many more files use it.
std::map<size_t, std::map<std::string, std::string>> reasons(const FoundUses &found) {
  std::map<size_t, std::map<std::string, std::string>> out;
  for (const auto &[target, names] : found)
    for (const auto &[name, f] : names)
      out[target][name] =
          f.more ? fmt::format("{} (and {} more file{})", f.first, f.more, f.more == 1 ? "" : "s") : f.first;
  return out;
}

} // namespace

// Whether `text` may use one of `wanted` from another module. Without `modules`: it names one of
// them, or star-imports. With `modules` (the last part of the name of each module that removed
// them), a use must also reach the module by that name. What collectUses finds, and how it spells
// the name it wants (w) after the module that removed it (m):
//   - `from <...>m import w`, `from . import w` (and `from .<...> import`): a from-import from m, or
//     a relative one;
//   - `m.w`, `<...>.m.w` in an attribute chain, a dotted string or an import (`import pkg.m.w`),
//     and `x.w` where `m as x` bound m to another name: w after a dot, m (or x) before it;
//   - `patch.object(m, "w")`, `getattr(m, 'w')`: w is the whole string (a dotted string that starts
//     with w, "bigquery.Client", names the module w, not a name of another module).
// So a file with none of those (blanks, line continuations and line breaks between the parts
// allowed; a line that may end in a comment, crossed going back, counts as one) is not parsed.
bool mayUse(std::string_view text, const std::unordered_set<std::string_view> &wanted,
            const std::unordered_set<std::string_view> *modules) {
  if (text.find("import *") != std::string_view::npos || text.find("import*") != std::string_view::npos)
    return true;
  if (!mentionsWord(text, wanted))
    return false;
  if (!modules)
    return true;
  std::vector<size_t> at;                // where a word of `wanted` starts
  std::vector<std::string_view> aliases; // `m as x`: x
  bool fromImport = false;
  for (size_t i = 0, n = text.size(); i < n;) {
    if (!identifierByte(text[i])) {
      ++i;
      continue;
    }
    std::string_view w = wordAt(text, i);
    size_t end = i + w.size();
    if (wanted.count(w))
      at.push_back(i);
    if (w == "from" && !fromImport)
      fromImport = importsFromOneOf(text, end, *modules);
    if (size_t j = skipBlank(text, end); wordAt(text, j) == "as" && modules->count(w)) // `m as x`
      if (std::string_view alias = wordAt(text, skipBlank(text, j + 2)); !alias.empty())
        aliases.push_back(alias);
    i = end;
  }
  if (at.empty())
    return false;
  if (fromImport)
    return true;
  for (size_t i : at) {
    bool unsure = false;
    size_t p = previousSignificant(text, i, unsure);
    if (unsure)
      return true;
    if (p == std::string_view::npos)
      continue;
    size_t after = i + wordAt(text, i).size();
    if ((text[p] == '"' || text[p] == '\'') && after < text.size() && text[after] == text[p])
      return true; // the whole string (a dotted one names a module first, "bigquery.Client": not a use of it)
    if (text[p] != '.')
      continue;
    size_t q = previousSignificant(text, p, unsure);
    if (unsure)
      return true;
    if (q == std::string_view::npos || !identifierByte(text[q]))
      continue;
    size_t b = q + 1;
    while (b > 0 && identifierByte(text[b - 1]))
      --b;
    std::string_view before = text.substr(b, q + 1 - b);
    if (modules->count(before) || std::find(aliases.begin(), aliases.end(), before) != aliases.end())
      return true;
  }
  return false;
}

std::string ModuleResolver::absoluteDir(size_t i) const {
  return std::string(lpath::parent_path(source::lexicalAbsolute(run_.found.files[i].path, cwd_)));
}

std::vector<std::vector<std::string>> ModuleResolver::rootSets(size_t i) {
  std::vector<std::vector<std::string>> sets;
  if (run_.roots) {
    sets.push_back(run_.roots->roots());
    if (const auto *u = run_.roots->unitOf(run_.found.files[i].path))
      sets.push_back({u->dir});
  }
  std::string start = absoluteDir(i);
  auto known = topOf_.find(start);
  if (known == topOf_.end()) {
    std::string dir = start;
    while (!dir.empty() && kinds_.of(dir + "/__init__.py") != source::PathKinds::None && lpath::has_parent_path(dir) &&
           dir != "/")
      dir = std::string(lpath::parent_path(dir));
    known = topOf_.emplace(start, dir).first;
  }
  sets.push_back({known->second});
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  return sets;
}

const std::string &ModuleResolver::find(const std::vector<std::string> &paths, const std::string &dotted) {
  std::string key;
  for (const auto &p : paths)
    key += p + '\n';
  key += dotted;
  auto it = memo_.find(key);
  if (it == memo_.end()) {
    auto found = source::findModule(paths, dotted, &kinds_);
    std::string real;
    if (found) { // one file is found under several roots' keys: its real path is asked once
      auto r = realOf_.find(*found);
      if (r == realOf_.end())
        r = realOf_.emplace(*found, realPath(*found)).first;
      real = r->second;
    }
    it = memo_.emplace(key, std::move(real)).first;
  }
  return it->second;
}

std::string ModuleResolver::packageDir(size_t i, size_t dots) const {
  std::string dir = absoluteDir(i);
  for (size_t k = 1; k < dots && !dir.empty(); ++k)
    dir = std::string(lpath::parent_path(dir));
  return dir;
}

std::map<size_t, std::map<std::string, std::string>>
usesFromOtherModules(const Run &run, const std::map<size_t, std::set<std::string>> &removed,
                     const std::set<std::pair<size_t, uint32_t>> &rewritten) {
  const auto &files = run.found.files;
  std::map<std::string, size_t> targets = targetsOf(run, removed);
  std::unordered_set<std::string_view> wanted = removedNames(removed);
  std::vector<Scanned> scanned = scanFiles(run, removed, wanted);
  // Every use found, per (target, name), in file order then text order; star imports per target.
  FoundUses found;
  std::map<size_t, Found> stars;
  ModuleResolver resolver(run);
  for (size_t i = 0; i < files.size(); ++i) {
    if (!scanned[i].parsed || scanned[i].uses.empty())
      continue;
    std::optional<LineIndex> lines;
    std::optional<std::string> text;
    auto where = [&](uint32_t offset) {
      if (!lines) {
        auto bytes = run.reread(i);
        text = bytes ? std::move(*bytes) : (llvm::consumeError(bytes.takeError()), std::string());
        lines.emplace(*text);
      }
      return fmt::format("{}:{}", files[i].display(), lines->at(offset).line);
    };
    std::vector<std::vector<std::string>> absoluteRoots = resolver.rootSets(i);
    for (const Use &u : scanned[i].uses) {
      if (rewritten.count({i, u.offset}))
        continue; // a patch target this run retargets
      size_t dots = std::min(u.dotted.find_first_not_of('.'), u.dotted.size());
      std::vector<std::string> parts;
      if (dots < u.dotted.size())
        parts = splitDotted(u.dotted.substr(dots));
      std::vector<std::vector<std::string>> rootSets =
          dots ? std::vector<std::vector<std::string>>{{resolver.packageDir(i, dots)}} : absoluteRoots;
      if (u.kind == Use::Kind::Star) {
        for (const auto &roots : rootSets) {
          // `from . import *` (no module after the dots) is the package itself.
          const std::string &file = parts.empty() ? resolver.find(roots, "__init__") // the package's own file
                                                  : resolver.find(roots, join(parts, parts.size()));
          auto t = targets.find(file);
          if (t != targets.end() && t->second != i) {
            countUse(stars[t->second], i, [&] { return describe(u, where(u.offset), "", ""); });
            break;
          }
        }
        continue;
      }
      // A prefix of the name is a target module, and the next component a name it removes:
      // `pkg.a` + `bigquery` in "pkg.a.bigquery.Client". For a relative name, the empty prefix
      // is the package itself (`from . import bigquery` in a sibling of pkg/__init__.py).
      for (size_t k = dots ? 0 : 1; k < parts.size(); ++k) {
        if (!wanted.count(parts[k]))
          continue;
        bool hit = false;
        for (const auto &roots : rootSets) {
          const std::string &file = k == 0 ? resolver.find(roots, "__init__") : resolver.find(roots, join(parts, k));
          auto t = targets.find(file);
          if (t == targets.end() || t->second == i || !removed.at(t->second).count(parts[k]))
            continue;
          std::string through = std::string(dots, '.') + join(parts, k + 1);
          countUse(found[t->second][parts[k]], i, [&] { return describe(u, where(u.offset), parts[k], through); });
          hit = true;
          break;
        }
        if (hit)
          break;
      }
    }
  }
  addStarUses(run, removed, wanted, scanned, stars, found);
  return reasons(found);
}

bool mayStarImport(std::string_view text) {
  for (size_t at = text.find("import"); at != std::string_view::npos; at = text.find("import", at + 1)) {
    size_t i = at + 6;
    for (;;) {
      if (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
        ++i;
      else if (text.substr(i, 2) == "\\\n")
        i += 2;
      else if (text.substr(i, 3) == "\\\r\n")
        i += 3;
      else
        break;
    }
    if (i < text.size() && text[i] == '*')
      return true;
  }
  return false;
}

namespace {

// What the star-import check needs of one file.
struct StarFacts {
  bool parsed = false;
  bool hasAll = false;
  std::vector<std::pair<std::string, std::string>> stars; // (module as written, where: "pkg/b.py:2:1")
  std::map<std::string, std::string> names;               // a name of `names` it binds or reads -> where first
};

StarFacts starFacts(const Run &run, size_t i, bool always, const std::set<std::string> &names) {
  StarFacts out;
  // Every file the run processed had its text scanned for `import *` (FileOutcome::mayStar, kept in
  // the cache): those without are not read again. (Another shard's files were not processed.)
  if (!always && run.active[i] && !run.outcomes[i].mayStar)
    return out;
  auto read = readBody(run, i);
  if (!read)
    return out;
  std::string_view body = std::string_view(read->first).substr(read->second);
  if ((!always && !mayStarImport(body)) || py::parserLimitProblem(body))
    return out;
  py::Tree tree = py::Tree::parse(body);
  if (tree.firstError())
    return out;
  py::ScopeModel model(tree);
  out.parsed = true;
  LineIndex lines(body);
  const std::string display = run.found.files[i].display();
  auto where = [&](TSNode n) {
    LineCol lc = lines.at(py::start(n));
    return fmt::format("{}:{}:{}", display, lc.line, lc.col);
  };
  std::map<std::string, TSNode> first; // a name of `names` -> its first binding or read
  auto note = [&](const std::string &name, TSNode n) {
    if (!names.count(name))
      return;
    auto [f, fresh] = first.emplace(name, n);
    if (!fresh && py::start(n) < py::start(f->second))
      f->second = n;
  };
  for (const auto &b : model.bindings()) {
    if (b.name == "__all__" && b.scope == 0)
      out.hasAll = true;
    note(b.name, b.node);
  }
  for (const auto &r : model.references())
    note(std::string(r.name), r.node);
  for (const auto &[name, n] : first)
    out.names[name] = where(n);
  tree.nodes().forEachNamed(0, [&](TSNode n) {
    if (py::is(n, "import_from_statement")) {
      for (uint32_t k = 0; k < ts_node_named_child_count(n); ++k)
        if (py::is(ts_node_named_child(n, k), "wildcard_import"))
          out.stars.emplace_back(withoutSpace(tree.text(py::field(n, "module_name"))), where(n));
      return false;
    }
    return true;
  });
  return out;
}

} // namespace

std::map<size_t, std::map<std::string, std::string>>
starImportClashes(const Run &run, const std::set<size_t> &exporters, const std::set<std::string> &names) {
  const auto &files = run.found.files;
  std::vector<size_t> all(files.size());
  for (size_t i = 0; i < files.size(); ++i)
    all[i] = i;
  // The files that spell a star import first; an exporter is parsed only when one of them imports it (a
  // module no one star-imports leaks nothing), not every file that gets a pool import.
  std::vector<StarFacts> facts(files.size());
  parallelFor(all, run.options.jobs, [&](size_t i) { facts[i] = starFacts(run, i, false, names); });
  // Who star-imports whom: file -> (importer, where its `import *` is), in file order.
  std::map<size_t, std::vector<std::pair<size_t, std::string>>> importers;
  ModuleResolver resolver(run);
  FilesByPath byPath(files);
  for (size_t i = 0; i < files.size(); ++i) {
    if (facts[i].stars.empty())
      continue;
    std::vector<std::vector<std::string>> absoluteRoots = resolver.rootSets(i);
    for (const auto &[dotted, where] : facts[i].stars) {
      size_t dots = std::min(dotted.find_first_not_of('.'), dotted.size());
      std::vector<std::string> parts;
      if (dots < dotted.size())
        parts = splitDotted(dotted.substr(dots));
      std::vector<std::vector<std::string>> rootSets =
          dots ? std::vector<std::vector<std::string>>{{resolver.packageDir(i, dots)}} : absoluteRoots;
      for (const auto &roots : rootSets) {
        const std::string &file =
            parts.empty() ? resolver.find(roots, "__init__") : resolver.find(roots, join(parts, parts.size()));
        if (file.empty())
          continue;
        if (auto t = byPath.find(file); t && *t != i) {
          importers[*t].emplace_back(i, where);
          break;
        }
      }
    }
  }
  std::vector<size_t> imported;
  for (const auto &[m, _] : importers)
    if (exporters.count(m) && !facts[m].parsed)
      imported.push_back(m);
  parallelFor(imported, run.options.jobs, [&](size_t m) { facts[m] = starFacts(run, m, true, names); });
  std::map<size_t, std::map<std::string, std::string>> out;
  for (size_t m : exporters) {
    if (!facts[m].parsed || facts[m].hasAll)
      continue;
    // Breadth first from m: (module reached, the `import *` lines that reach it, nearest last).
    std::vector<std::pair<size_t, std::string>> queue;
    std::set<size_t> seen{m};
    auto enqueue = [&](size_t from, const std::string &chain) {
      if (auto it = importers.find(from); it != importers.end())
        for (const auto &[s, where] : it->second)
          queue.emplace_back(s, chain.empty() ? where : where + " and " + chain);
    };
    enqueue(m, "");
    for (size_t k = 0; k < queue.size(); ++k) {
      auto [s, chain] = queue[k];
      if (!seen.insert(s).second)
        continue;
      for (const auto &[name, where] : facts[s].names)
        if (!name.empty() && name[0] != '_')
          out[m].emplace(name, fmt::format("{} through the `import *` at {}", where, chain));
      if (!facts[s].hasAll)
        enqueue(s, chain);
    }
  }
  return out;
}

} // namespace poolify::pipeline
