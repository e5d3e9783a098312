#include "rewrite/imports.h"

#include "support/text.h"

#include <algorithm>
#include <fmt/format.h>

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

void ImportEditor::add(const analysis::Site &site, const std::string &module, const std::string &name) {
  std::string_view text = tree_.text();
  TSNode anchor = site.anchor->statement;
  TSNode holder = ts_node_parent(anchor);
  Planned p{module, name, 0, false, false, "", TSNode{}};
  if (is(holder, "module")) {
    // An existing module-level `from module import ...` takes the name.
    for (TSNode c : moduleStatements()) {
      if (!is(c, "import_from_statement") || tree_.text(py::field(c, "module_name")) != module)
        continue;
      bool wildcard = false;
      TSNode lastName{};
      for (uint32_t k = 0; k < ts_node_named_child_count(c); ++k) {
        TSNode item = ts_node_named_child(c, k);
        if (is(item, "wildcard_import"))
          wildcard = true;
        if (py::fieldOf(item) == "name")
          lastName = item;
      }
      bool beforeUse = model_.enclosingFunction(site.scope) >= 0 || py::end(c) <= py::start(site.callee);
      if (!wildcard && !ts_node_is_null(lastName) && beforeUse) {
        p.offset = py::end(lastName);
        p.merge = true;
        break;
      }
    }
    if (!p.merge) {
      size_t blockEnd = topImportBlockEnd();
      size_t after = py::end(anchor);
      if (blockEnd != std::string::npos && blockEnd > after)
        after = blockEnd;
      p.offset = lineEndOf(text, after);
    }
  } else {
    p.block = holder;
    if (onlyBlankBefore(text, py::start(anchor))) {
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

void ImportEditor::removeImports(const std::vector<const py::Binding *> &bindings, const std::vector<Planned> &inserted,
                                 EditSet &edits) {
  std::string_view text = tree_.text();
  // Group the items to remove by statement.
  std::vector<std::pair<TSNode, std::vector<TSNode>>> byStmt;
  for (const py::Binding *b : bindings) {
    auto it = std::find_if(byStmt.begin(), byStmt.end(), [&](auto &e) { return py::same(e.first, b->statement); });
    if (it == byStmt.end())
      byStmt.push_back({b->statement, {b->node}});
    else
      it->second.push_back(b->node);
  }
  // Which whole statements go, so a block left empty can get `pass`.
  std::vector<TSNode> whole;
  for (auto &[stmt, items] : byStmt)
    if (items.size() == importItems(stmt).size())
      whole.push_back(stmt);
  auto goes = [&](TSNode s) {
    return std::any_of(whole.begin(), whole.end(), [&](TSNode w) { return py::same(w, s); });
  };

  std::vector<std::pair<size_t, size_t>> wholeLines; // [start, end) of deleted lines
  for (auto &[stmt, items] : byStmt) {
    auto all = importItems(stmt);
    if (items.size() < all.size()) {
      // Some names stay. A removed name before the last kept one goes with the separator after it
      // (up to the next name); the removed names after the last kept one go as one run, from the
      // end of that kept name. The ranges never overlap.
      const std::vector<TSNode> &gone = items; // (a structured binding cannot be captured in C++17)
      auto removed = [&](TSNode n) {
        return std::any_of(gone.begin(), gone.end(), [&](TSNode r) { return py::same(r, n); });
      };
      size_t lastKept = 0;
      for (size_t k = 0; k < all.size(); ++k)
        if (!removed(all[k]))
          lastKept = k;
      for (size_t k = 0; k < lastKept; ++k)
        if (removed(all[k]))
          edits.replace(py::start(all[k]), py::start(all[k + 1]) - py::start(all[k]), "");
      if (lastKept + 1 < all.size())
        edits.replace(py::end(all[lastKept]), py::end(all.back()) - py::end(all[lastKept]), "");
      continue;
    }
    TSNode holder = ts_node_parent(stmt);
    bool needsPass = false;
    if (is(holder, "block")) {
      bool allGo = true;
      for (TSNode s : statementsOf(holder))
        allGo = allGo && goes(s);
      bool receives = std::any_of(inserted.begin(), inserted.end(), [&](const Planned &p) {
        return !ts_node_is_null(p.block) && py::same(p.block, holder);
      });
      // Only the first statement of the block becomes `pass`.
      needsPass = allGo && !receives && py::same(statementsOf(holder).front(), stmt);
    }
    size_t s = py::start(stmt), e = py::end(stmt);
    if (needsPass) {
      edits.replace(s, e - s, "pass");
      continue;
    }
    size_t after = e;
    while (after < text.size() && (text[after] == ' ' || text[after] == '\t'))
      ++after;
    bool restOfLineEmpty = after >= text.size() || text[after] == '\n' || text[after] == '\r' || text[after] == '#';
    if (onlyBlankBefore(text, s) && restOfLineEmpty) {
      size_t ls = lineStartOf(text, s);
      wholeLines.push_back({ls, lineEndOf(text, e)});
    } else if (after < text.size() && text[after] == ';') {
      size_t next = after + 1;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t'))
        ++next;
      edits.replace(s, next - s, "");
    } else {
      size_t before = s;
      while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t'))
        --before;
      if (before > 0 && text[before - 1] == ';')
        edits.replace(before - 1, e - (before - 1), "");
      else
        edits.replace(s, e - s, "pass"); // the statement after a compound header's colon
    }
  }
  deleteLines(wholeLines, inserted, edits);
}

void ImportEditor::finish(const std::vector<const analysis::Site *> &rewritten, const std::vector<TSNode> &vanishing,
                          EditSet &edits) {
  std::string_view text = tree_.text();
  for (const Planned &p : planned_) {
    std::string stmt = fmt::format("from {} import {}", p.module, p.name);
    if (p.merge) {
      edits.insert(p.offset, ", " + p.name);
    } else if (p.inlineAfter) {
      edits.insert(p.offset, "; " + stmt);
    } else if (p.offset >= text.size() && (text.empty() || text.back() != '\n')) {
      edits.insert(p.offset, eol_ + p.indent + stmt);
    } else {
      edits.insert(p.offset, p.indent + stmt + eol_);
    }
  }

  // Bindings the rewritten sites relied on, and whether anything else still uses them.
  std::vector<const py::Binding *> anchors;
  for (const analysis::Site *s : rewritten)
    if (std::find(anchors.begin(), anchors.end(), s->anchor) == anchors.end())
      anchors.push_back(s->anchor);
  auto inRewritten = [&](TSNode n) {
    return std::any_of(vanishing.begin(), vanishing.end(), [&](TSNode v) { return py::contains(v, n); });
  };
  std::vector<const py::Binding *> remove;
  std::set<std::pair<int, std::string>> done;
  for (const py::Binding *a : anchors) {
    if (!done.insert({a->scope, a->name}).second)
      continue;
    bool used = false;
    for (const auto &r : model_.references()) {
      if (r.name != a->name || model_.resolve(r.name, r.scope) != a->scope)
        continue;
      if (!r.inString && inRewritten(r.node))
        continue;
      used = true;
      break;
    }
    if (used)
      continue;
    for (const py::Binding *b : model_.bindingsIn(a->scope, a->name))
      if (b->kind == py::BindingKind::Import)
        remove.push_back(b);
  }
  removeImports(remove, planned_, edits);
}

} // namespace poolify::rewrite
