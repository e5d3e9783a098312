#include "rewrite/imports.h"

#include "support/text.h"

#include <algorithm>
#include <fmt/format.h>
#include <numeric>
#include <unordered_set>

namespace poolify::rewrite {

using py::is;

ImportEditor::ImportEditor(const py::Tree &tree, const py::ScopeModel &model, std::string_view eol)
    : tree_(tree), model_(model), eol_(eol) {}

const std::vector<TSNode> &ImportEditor::moduleStatements() const {
  if (!moduleStatements_)
    moduleStatements_ = py::namedChildren(tree_.root());
  return *moduleStatements_;
}

size_t ImportEditor::topImportBlockEnd() const {
  if (topBlockEnd_)
    return *topBlockEnd_;
  const std::vector<TSNode> &children = moduleStatements();
  size_t count = children.size();
  size_t i = 0;
  while (i < count && is(children[i], "comment"))
    ++i;
  if (i < count) {
    TSNode first = children[i];
    if (is(first, "expression_statement") && ts_node_named_child_count(first) == 1 &&
        is(ts_node_named_child(first, 0), "string"))
      ++i;
  }
  size_t end = std::string::npos;
  for (; i < count; ++i) {
    TSNode c = children[i];
    if (is(c, "comment"))
      continue;
    if (is(c, "future_import_statement") || is(c, "import_statement") || is(c, "import_from_statement")) {
      end = py::end(c);
      continue;
    }
    break;
  }
  topBlockEnd_ = end;
  return end;
}

namespace {

// isort's order of names in a from-import (order_by_type): CONSTANTS, then Classes, then others,
// each case-insensitively.
std::pair<int, std::string> nameKey(std::string_view name) {
  bool upper = name.size() > 1 && std::none_of(name.begin(), name.end(), [](char c) { return std::islower(c); });
  int rank = upper ? 0 : std::isupper(static_cast<unsigned char>(name.front())) ? 1 : 2;
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return {rank, lower};
}

bool isImport(TSNode n) {
  return is(n, "import_statement") || is(n, "import_from_statement") || is(n, "future_import_statement");
}

// `sys.path.insert(...)`, `sys.path.append(...)`, `sys.path[0:0] = ...`, `site.addsitedir(...)`: a
// statement after which first-party imports may resolve differently.
bool changesImportPath(const py::Tree &tree, TSNode stmt) {
  if (!is(stmt, "expression_statement"))
    return false;
  std::string_view t = tree.text(stmt);
  return t.rfind("sys.path", 0) == 0 || t.rfind("site.addsitedir", 0) == 0;
}

} // namespace

// The module name a module-level import statement imports from (its first name for `import a, b`).
std::string ImportEditor::importedModule(TSNode stmt) const {
  if (is(stmt, "import_from_statement"))
    return std::string(tree_.text(py::field(stmt, "module_name")));
  for (TSNode c : py::namedChildren(stmt))
    if (py::fieldOf(c) == "name")
      return std::string(tree_.text(is(c, "aliased_import") ? py::field(c, "name") : c));
  return "";
}

// Merges `name` into an existing module-level `from module import ...` that runs before the use:
// at its sorted place when the names are sorted (as isort keeps them), else after the last one.
bool ImportEditor::mergeInto(const analysis::Site &site, const std::string &module, Planned &p) const {
  for (TSNode c : moduleStatements()) {
    if (!is(c, "import_from_statement") || tree_.text(py::field(c, "module_name")) != module)
      continue;
    std::vector<TSNode> names;
    bool wildcard = false;
    for (TSNode item : py::namedChildren(c)) {
      wildcard = wildcard || is(item, "wildcard_import");
      if (py::fieldOf(item) == "name")
        names.push_back(item);
    }
    bool beforeUse = model_.enclosingFunction(site.scope) >= 0 || py::end(c) <= py::start(site.callee);
    if (wildcard || names.empty() || !beforeUse)
      continue;
    auto keyOf = [&](TSNode item) {
      return nameKey(tree_.text(is(item, "aliased_import") ? py::field(item, "name") : item));
    };
    bool sorted = std::is_sorted(names.begin(), names.end(), [&](TSNode a, TSNode b) { return keyOf(a) < keyOf(b); });
    p.merge = true;
    p.offset = py::end(names.back());
    if (sorted)
      for (TSNode item : names)
        if (nameKey(p.name) < keyOf(item)) {
          p.offset = py::start(item);
          p.mergeBefore = true;
          break;
        }
    return true;
  }
  return false;
}

// Where a new module-level import goes: with the file's imports of the pool's top-level package
// (first-party; at its sorted place when that group is sorted), else after the last module-level
// import before the use; never above a sys.path change before the use, and always before a use
// that runs at import time.
size_t ImportEditor::moduleLevelOffset(const analysis::Site &site, TSNode anchor, const std::string &module) const {
  std::string_view text = tree_.text();
  size_t use = py::start(site.callee);
  std::string top = module.substr(0, module.find('.'));
  const std::vector<TSNode> &stmts = moduleStatements();
  std::optional<size_t> lastImport, lastPathChange, lastSamePackage;
  for (size_t i = 0; i < stmts.size() && py::end(stmts[i]) <= use; ++i) {
    if (isImport(stmts[i])) {
      lastImport = i;
      std::string m = importedModule(stmts[i]);
      if (!is(stmts[i], "future_import_statement") && m.substr(0, m.find('.')) == top)
        lastSamePackage = i;
    } else if (changesImportPath(tree_, stmts[i])) {
      lastPathChange = i;
    }
  }
  size_t offset;
  if (lastSamePackage) {
    offset = groupOffset(*lastSamePackage, module, top);
  } else if (lastImport) {
    offset = lineEndOf(text, py::end(stmts[*lastImport]));
  } else {
    size_t blockEnd = topImportBlockEnd();
    size_t after = py::end(anchor);
    offset = lineEndOf(text, blockEnd != std::string::npos && blockEnd > after ? blockEnd : after);
  }
  if (lastPathChange && offset < py::end(stmts[*lastPathChange]))
    offset = lineEndOf(text, py::end(stmts[*lastPathChange]));
  return offset;
}

// The place of `from module import ...` among the contiguous imports of the same top-level
// package around statement `last`: its sorted place when they are sorted (plain imports first,
// then from-imports, by module), else after `last`.
size_t ImportEditor::groupOffset(size_t last, const std::string &module, const std::string &top) const {
  std::string_view text = tree_.text();
  const std::vector<TSNode> &stmts = moduleStatements();
  auto samePackage = [&](size_t i) {
    std::string m = importedModule(stmts[i]);
    return isImport(stmts[i]) && !is(stmts[i], "future_import_statement") && m.substr(0, m.find('.')) == top;
  };
  size_t first = last;
  while (first > 0 && samePackage(first - 1))
    --first;
  auto keyOf = [&](size_t i) {
    std::string m = importedModule(stmts[i]);
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::make_pair(is(stmts[i], "import_from_statement") ? 1 : 0, m);
  };
  bool sorted = true;
  for (size_t i = first; i < last; ++i)
    sorted = sorted && !(keyOf(i + 1) < keyOf(i));
  std::string lower = module;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (sorted)
    for (size_t i = first; i <= last; ++i)
      if (std::make_pair(1, lower) < keyOf(i) && onlyBlankBefore(text, py::start(stmts[i])))
        return lineStartOf(text, py::start(stmts[i]));
  return lineEndOf(text, py::end(stmts[last]));
}

void ImportEditor::add(const analysis::Site &site, const std::string &module, const std::string &name) {
  // The site's name is bound, on each path to it, by one of its scope's imports of the library (the
  // analysis found no other binding), not always by the anchor: `if warm: import requests` then
  // `import requests` again. The pooled name goes beside each of them, so that it is bound wherever
  // the library's name was.
  // (Code that runs at import time is reached by no module-level import below it.)
  const py::Binding &a = *site.anchor;
  bool runsAtImport = model_.enclosingFunction(site.scope) < 0;
  for (const py::Binding *b : model_.bindingsIn(a.scope, a.name))
    if (b == &a || (b->kind == py::BindingKind::Import && b->qname == a.qname && b->textualScope == a.textualScope &&
                    ts_node_is_null(b->deadUnder) && !(runsAtImport && py::start(b->node) > py::start(site.callee))))
      addBeside(site, b->statement, module, name);
}

void ImportEditor::addBeside(const analysis::Site &site, TSNode anchor, const std::string &module,
                             const std::string &name) {
  std::string_view text = tree_.text();
  // Sites are added in document order: the first one through an anchor places its import, and that
  // place comes before every later use (one lookup per site, not a walk of the module).
  if (!placed_.insert(std::make_tuple(py::start(anchor), module, name)).second)
    return;
  TSNode holder = ts_node_parent(anchor);
  Planned p{module, name, 0, false, false, false, false, "", TSNode{}, anchor};
  // Something after the anchor on its line (`import x; return x.Client()`): the new import goes
  // right after the anchor on that line, so it runs before what follows.
  size_t afterAnchor = py::end(anchor);
  while (afterAnchor < text.size() && (text[afterAnchor] == ' ' || text[afterAnchor] == '\t'))
    ++afterAnchor;
  bool sharesLine = afterAnchor < text.size() && text[afterAnchor] == ';';
  if (is(holder, "module") && !sharesLine) {
    if (!mergeInto(site, module, p)) {
      p.offset = moduleLevelOffset(site, anchor, module);
      // A use at module level runs at import time: the import must come before it.
      bool runsAtImport = model_.enclosingFunction(site.scope) < 0;
      if (runsAtImport && p.offset > py::start(site.callee)) {
        p.inlineAfter = true;
        p.offset = py::end(anchor);
      }
    }
  } else {
    p.block = is(holder, "module") ? TSNode{} : holder;
    if (onlyBlankBefore(text, py::start(anchor)) && !sharesLine) {
      p.indent = std::string(indentOf(text, py::start(anchor)));
      p.offset = lineEndOf(text, py::end(anchor));
    } else {
      p.inlineAfter = true;
      p.offset = py::end(anchor);
    }
  }
  for (const Planned &q : planned_)
    if (q.module == p.module && q.name == p.name && q.offset == p.offset)
      return;
  planned_.push_back(std::move(p));
}

namespace {
// The statements of a block, comments aside.
std::vector<TSNode> statementsOf(TSNode block) {
  std::vector<TSNode> out;
  for (TSNode c : py::namedChildren(block)) {
    if (!is(c, "comment"))
      out.push_back(c);
  }
  return out;
}

std::vector<TSNode> importItems(TSNode stmt) {
  std::vector<TSNode> out;
  for (TSNode c : py::namedChildren(stmt)) {
    if (py::fieldOf(c) == "name")
      out.push_back(c);
  }
  return out;
}
} // namespace

namespace {
bool blankLine(std::string_view text, size_t start) {
  for (size_t i = start; i < text.size() && text[i] != '\n'; ++i)
    if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r')
      return false;
  return true;
}
} // namespace

// Deletes whole lines; a run of deleted lines that stood alone between blank lines (an import
// group of its own) takes one of those blank lines along, so no double gap is left behind.
void ImportEditor::deleteLines(std::vector<std::pair<size_t, size_t>> lines, const std::vector<Planned> &inserted,
                               EditSet &edits) const {
  std::string_view text = tree_.text();
  std::sort(lines.begin(), lines.end());
  std::vector<std::pair<size_t, size_t>> runs;
  auto insertionAt = [&](size_t offset) {
    return std::any_of(inserted.begin(), inserted.end(),
                       [&](const Planned &p) { return !p.merge && !p.inlineAfter && p.offset == offset; });
  };
  for (auto l : lines) {
    if (!runs.empty() && runs.back().second == l.first && !insertionAt(l.first))
      runs.back().second = l.second;
    else
      runs.push_back(l);
  }
  for (auto [s, e] : runs) {
    bool insertionAtEnd = insertionAt(e);
    bool blankBefore = s == 0 || blankLine(text, lineStartOf(text, s - 1));
    if (!insertionAtEnd && blankBefore && e < text.size() && blankLine(text, e))
      e = lineEndOf(text, e);
    edits.replace(s, e - s, "");
  }
}

namespace {
// The import items of one statement that go, with the statement.
using StatementItems = std::pair<TSNode, std::vector<TSNode>>;

// Groups the items to remove by statement, in the order the statements first appear.
std::vector<StatementItems> groupByStatement(const std::vector<const py::Binding *> &bindings) {
  std::vector<StatementItems> byStmt;
  for (const py::Binding *b : bindings) {
    auto it = std::find_if(byStmt.begin(), byStmt.end(), [&](auto &e) { return py::same(e.first, b->statement); });
    if (it == byStmt.end())
      byStmt.push_back({b->statement, {b->node}});
    else
      it->second.push_back(b->node);
  }
  return byStmt;
}

// The statements all of whose names go: a block they leave empty can get `pass`.
std::vector<TSNode> wholeStatements(const std::vector<StatementItems> &byStmt) {
  std::vector<TSNode> whole;
  for (const auto &[stmt, items] : byStmt)
    if (items.size() == importItems(stmt).size())
      whole.push_back(stmt);
  return whole;
}

bool contains(const std::vector<TSNode> &nodes, TSNode n) {
  return std::any_of(nodes.begin(), nodes.end(), [&](TSNode m) { return py::same(m, n); });
}

// Some names stay. A removed name before the last kept one goes with the separator after it (up to
// the next name); the removed names after the last kept one go as one run, from the end of that kept
// name. The ranges never overlap.
void removeSomeNames(const std::vector<TSNode> &all, const std::vector<TSNode> &gone, EditSet &edits) {
  size_t lastKept = 0;
  for (size_t k = 0; k < all.size(); ++k)
    if (!contains(gone, all[k]))
      lastKept = k;
  for (size_t k = 0; k < lastKept; ++k)
    if (contains(gone, all[k]))
      edits.replace(py::start(all[k]), py::start(all[k + 1]) - py::start(all[k]), "");
  if (lastKept + 1 < all.size())
    edits.replace(py::end(all[lastKept]), py::end(all.back()) - py::end(all[lastKept]), "");
}

size_t skipSpacesForward(std::string_view text, size_t at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t'))
    ++at;
  return at;
}

size_t skipSpacesBackward(std::string_view text, size_t at) {
  while (at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t'))
    --at;
  return at;
}

// Removes a whole statement that does not become `pass`: its lines when it stands alone on them
// (collected in `wholeLines`, deleted together), else the statement with the `;` that joins it to
// its neighbour, else (the statement after a compound header's colon) it becomes `pass`.
void removeStatement(std::string_view text, TSNode stmt, std::vector<std::pair<size_t, size_t>> &wholeLines,
                     EditSet &edits) {
  size_t s = py::start(stmt), e = py::end(stmt);
  size_t after = skipSpacesForward(text, e);
  bool restOfLineEmpty = after >= text.size() || text[after] == '\n' || text[after] == '\r' || text[after] == '#';
  if (onlyBlankBefore(text, s) && restOfLineEmpty) {
    size_t ls = lineStartOf(text, s);
    wholeLines.push_back({ls, lineEndOf(text, e)});
  } else if (after < text.size() && text[after] == ';') {
    size_t next = skipSpacesForward(text, after + 1);
    edits.replace(s, next - s, "");
  } else {
    size_t before = skipSpacesBackward(text, s);
    if (before > 0 && text[before - 1] == ';')
      edits.replace(before - 1, e - (before - 1), "");
    else
      edits.replace(s, e - s, "pass"); // the statement after a compound header's colon
  }
}
} // namespace

// An inline pool import takes the place of the statement.
bool ImportEditor::replacedByInsertion(TSNode stmt, const std::vector<Planned> &inserted) {
  return std::any_of(inserted.begin(), inserted.end(),
                     [&](const Planned &p) { return p.replacesAnchor && py::same(p.anchor, stmt); });
}

// The statement becomes `pass`: every statement of its block goes, nothing is inserted there, and it
// is the block's first statement (only that one becomes `pass`).
bool ImportEditor::becomesPass(TSNode stmt, const std::vector<TSNode> &whole, const std::vector<Planned> &inserted) {
  TSNode holder = ts_node_parent(stmt);
  if (!is(holder, "block"))
    return false;
  bool allGo = true;
  for (TSNode s : statementsOf(holder))
    allGo = allGo && contains(whole, s);
  bool receives = std::any_of(inserted.begin(), inserted.end(),
                              [&](const Planned &p) { return !ts_node_is_null(p.block) && py::same(p.block, holder); });
  return allGo && !receives && py::same(statementsOf(holder).front(), stmt);
}

void ImportEditor::removeImports(const std::vector<const py::Binding *> &bindings, const std::vector<Planned> &inserted,
                                 EditSet &edits) {
  std::string_view text = tree_.text();
  std::vector<StatementItems> byStmt = groupByStatement(bindings);
  std::vector<TSNode> whole = wholeStatements(byStmt);
  std::vector<std::pair<size_t, size_t>> wholeLines; // [start, end) of deleted lines
  for (const auto &[stmt, items] : byStmt) {
    std::vector<TSNode> all = importItems(stmt);
    if (items.size() < all.size())
      removeSomeNames(all, items, edits);
    else if (replacedByInsertion(stmt, inserted))
      continue; // the pool import takes its place
    else if (becomesPass(stmt, whole, inserted))
      edits.replace(py::start(stmt), py::end(stmt) - py::start(stmt), "pass");
    else
      removeStatement(text, stmt, wholeLines, edits);
  }
  deleteLines(wholeLines, inserted, edits);
}

// One statement per place and module, its names sorted as isort sorts them (`from m import get,
// post`); merged names go in one edit per place.
void ImportEditor::emitPlanned(EditSet &edits) const {
  std::string_view text = tree_.text();
  std::vector<bool> done(planned_.size(), false);
  // Statements inserted at one place go in isort's order, by module (`from shared.clients import
  // http_pool` before `from shared.clients.bigquery_pool import ...`), whatever the sites' order.
  std::vector<size_t> order(planned_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto lowered = [](std::string m) {
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
    return m;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::make_pair(planned_[a].offset, lowered(planned_[a].module)) <
           std::make_pair(planned_[b].offset, lowered(planned_[b].module));
  });
  for (size_t i : order) {
    if (done[i])
      continue;
    const Planned &p = planned_[i];
    std::vector<std::string> names;
    for (size_t j = i; j < planned_.size(); ++j) {
      const Planned &q = planned_[j];
      if (!done[j] && q.offset == p.offset && q.module == p.module && q.merge == p.merge &&
          q.mergeBefore == p.mergeBefore && q.inlineAfter == p.inlineAfter && q.replacesAnchor == p.replacesAnchor &&
          q.indent == p.indent) {
        names.push_back(q.name);
        done[j] = true;
      }
    }
    std::sort(names.begin(), names.end(),
              [](const std::string &a, const std::string &b) { return nameKey(a) < nameKey(b); });
    std::string joined;
    for (const auto &n : names)
      joined += (joined.empty() ? "" : ", ") + n;
    std::string stmt = fmt::format("from {} import {}", p.module, joined);
    if (p.merge && p.mergeBefore)
      edits.insert(p.offset, joined + ", ");
    else if (p.merge)
      edits.insert(p.offset, ", " + joined);
    else if (p.replacesAnchor)
      edits.replace(py::start(p.anchor), py::end(p.anchor) - py::start(p.anchor), stmt);
    else if (p.inlineAfter)
      edits.insert(p.offset, "; " + stmt);
    else if (p.offset >= text.size() && (text.empty() || text.back() != '\n'))
      edits.insert(p.offset, eol_ + p.indent + stmt);
    else
      edits.insert(p.offset, p.indent + stmt + eol_);
  }
}

void ImportEditor::finish(const std::vector<const analysis::Site *> &rewritten, const std::vector<TSNode> &vanishing,
                          EditSet &edits) {
  std::vector<const py::Binding *> remove = unusedAnchors(rewritten, vanishing);
  // An inline import after an anchor that goes whole (`import x; use(x)`) takes the anchor's place.
  for (Planned &p : planned_) {
    if (!p.inlineAfter || ts_node_is_null(p.anchor))
      continue;
    size_t gone = std::count_if(remove.begin(), remove.end(),
                                [&](const py::Binding *b) { return py::same(b->statement, p.anchor); });
    p.replacesAnchor = gone > 0 && gone == importItems(p.anchor).size();
  }
  emitPlanned(edits);
  removeImports(remove, planned_, edits);
}

namespace {
// Is the node (a string) part of the value of an assignment to __all__?
bool inAllAssignment(const py::Tree &tree, TSNode n) {
  for (TSNode p = ts_node_parent(n); !ts_node_is_null(p); p = ts_node_parent(p)) {
    if (is(p, "assignment") || is(p, "augmented_assignment"))
      return tree.text(py::field(p, "left")) == "__all__";
    if (is(p, "expression_statement") || is(p, "block") || is(p, "module"))
      return false;
  }
  return false;
}
} // namespace

// The import bindings the rewritten sites relied on that nothing uses any more. `vanishing` is the
// code that goes away (rewritten callees, removed statements): references inside it do not count.
std::vector<const py::Binding *> ImportEditor::unusedAnchors(const std::vector<const analysis::Site *> &rewritten,
                                                             const std::vector<TSNode> &vanishing) {
  std::vector<const py::Binding *> anchors;
  std::unordered_set<const py::Binding *> seen;
  std::map<const py::Binding *, std::string> ruleOf;
  for (const analysis::Site *s : rewritten)
    if (seen.insert(s->anchor).second) {
      anchors.push_back(s->anchor);
      ruleOf[s->anchor] = s->rule ? s->rule->id : std::string();
    }
  // Vanishing ranges by start, with the largest end so far: a node lies in one of them when some
  // range starting at or before it ends at or after it (one binary search per reference).
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  ranges.reserve(vanishing.size());
  for (TSNode v : vanishing)
    ranges.push_back({py::start(v), py::end(v)});
  std::sort(ranges.begin(), ranges.end());
  std::vector<uint32_t> maxEnd(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i)
    maxEnd[i] = std::max(i ? maxEnd[i - 1] : 0, ranges[i].second);
  auto inVanishing = [&](TSNode n) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), std::make_pair(py::start(n), UINT32_MAX));
    return it != ranges.begin() && maxEnd[static_cast<size_t>(it - ranges.begin()) - 1] >= py::end(n);
  };
  auto inAll = [&](TSNode n) { return inAllAssignment(tree_, n); };
  std::vector<const py::Binding *> remove;
  std::set<std::pair<int, std::string>> done;
  for (const py::Binding *a : anchors) {
    if (!done.insert({a->scope, a->name}).second)
      continue;
    bool used = false, listed = false; // used as code (or in a string annotation); listed in __all__
    for (const py::Reference &r : model_.references()) {
      if (r.name != a->name || model_.resolve(r.name, r.scope) != a->scope || (!r.inString && inVanishing(r.node)))
        continue;
      if (r.inString && inAll(r.node))
        listed = true;
      else
        used = true;
    }
    if (used)
      continue;
    bool moduleLevel = model_.scopes()[static_cast<size_t>(a->scope)].kind == py::ScopeKind::Module;
    if (listed) {
      // `from this_module import *` would raise AttributeError without it.
      if (moduleLevel)
        changes_.push_back({a->name, ruleOf[a], py::start(a->node), "listed in this module's __all__"});
      continue;
    }
    std::vector<const py::Binding *> imports;
    for (const py::Binding *b : model_.bindingsIn(a->scope, a->name))
      if (b->kind == py::BindingKind::Import)
        imports.push_back(b);
    // A module-level name is an attribute of the module: other modules may import it (or patch
    // through it), which the run's cross-module index says (keep()).
    if (moduleLevel && !imports.empty()) {
      auto kept = keep_.find(a->name);
      uint32_t first = UINT32_MAX;
      for (const py::Binding *b : imports)
        first = std::min(first, py::start(b->node));
      changes_.push_back({a->name, ruleOf[a], first, kept == keep_.end() ? std::string() : kept->second});
      if (kept != keep_.end())
        continue;
    }
    remove.insert(remove.end(), imports.begin(), imports.end());
  }
  return remove;
}

} // namespace poolify::rewrite
