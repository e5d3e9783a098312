#include "rewrite/rewriter.h"

#include "analysis/decide.h"
#include "rewrite/imports.h"
#include "support/text.h"

#include <algorithm>

namespace poolify::rewrite {

namespace {

// `f()` -> `f(x=1)`; `f(a)` -> `f(x=1, a)`; an argument on its own line gets its own line.
void insertLeading(std::string_view text, const analysis::Arguments &args, const std::string &inserted,
                   EditSet &edits) {
  if (ts_node_is_null(args.first)) {
    edits.insert(py::start(args.list) + 1, inserted);
    return;
  }
  size_t at = py::start(args.first);
  bool ownLine = lineStartOf(text, at) != lineStartOf(text, py::start(args.list)) && onlyBlankBefore(text, at);
  if (ownLine)
    edits.insert(at, inserted + "," + std::string(detectEol(text)) + std::string(indentOf(text, at)));
  else
    edits.insert(at, inserted + ", ");
}

// The call becomes the pooled call.
void rewriteCall(const py::Tree &tree, const analysis::Site &site, const model::Verdict &v, EditSet &edits) {
  analysis::Arguments args = analysis::argumentsOf(site.call);
  for (const auto &change : v.changes) {
    TSNode arg = args.all[change.index];
    if (!change.value.empty()) {
      edits.replace(py::start(arg), py::end(arg) - py::start(arg), change.keyword + "=" + change.value);
    } else if (py::is(arg, "keyword_argument")) {
      TSNode name = py::field(arg, "name");
      edits.replace(py::start(name), py::end(name) - py::start(name), change.keyword);
    } else {
      edits.insert(py::start(arg), change.keyword + "=");
    }
  }
  edits.replace(py::start(site.callee), py::end(site.callee) - py::start(site.callee), v.callee);
  std::string inserted;
  for (const auto &[keyword, value] : v.inferred) {
    bool inPlace = std::any_of(v.changes.begin(), v.changes.end(), [&, &k = keyword](const model::ArgumentChange &c) {
      return c.keyword == k && !c.value.empty();
    });
    if (!inPlace)
      inserted += (inserted.empty() ? "" : ", ") + keyword + "=" + value;
  }
  if (!inserted.empty())
    insertLeading(tree.text(), args, inserted, edits);
}

// Removes the override statement and the comment lines directly above it; one comment stays.
TSNode removeOverride(const py::Tree &tree, const analysis::Site &site, const model::Removal &r, EditSet &edits) {
  std::string_view text = tree.text();
  TSNode stmt = py::enclosingStatement(site.call);
  size_t first = lineStartOf(text, py::start(stmt));
  while (first > 0) {
    size_t prev = lineStartOf(text, first - 1);
    size_t k = prev;
    while (k < first && (text[k] == ' ' || text[k] == '\t'))
      ++k;
    if (k >= first || text[k] != '#')
      break;
    first = prev;
  }
  size_t last = lineEndOf(text, py::end(stmt));
  std::string indent(indentOf(text, py::start(stmt)));
  std::string eol = last > 0 && text[last - 1] == '\n' ? std::string(detectEol(text)) : std::string();
  edits.replace(first, last - first, indent + "# " + r.comment + eol);
  return stmt;
}

// Moves a statement's lines up, above the line of the statement that holds the call (once, when
// several verdicts ask for the same move).
void moveStatement(std::string_view text, const model::StatementMove &m, std::vector<uint32_t> &moved, EditSet &edits) {
  if (std::find(moved.begin(), moved.end(), m.start) != moved.end())
    return;
  moved.push_back(m.start);
  edits.replace(m.start, m.end - m.start, "");
  edits.insert(m.to, std::string(text.substr(m.start, m.end - m.start)));
}

} // namespace

EditSet rewriteFile(const py::Tree &tree, const py::ScopeModel &model, const std::vector<analysis::Site> &sites,
                    const std::vector<model::Verdict> &verdicts, const std::map<std::string, std::string> &keep,
                    std::vector<ImportChange> *changes) {
  EditSet edits;
  ImportEditor imports(tree, model, detectEol(tree.text()));
  imports.keep(keep);
  std::vector<const analysis::Site *> rewritten;
  std::vector<TSNode> vanishing;
  std::vector<uint32_t> moved;
  for (size_t i = 0; i < sites.size() && i < verdicts.size(); ++i) {
    const analysis::Site &site = sites[i];
    const model::Verdict &v = verdicts[i];
    if (v.outcome == model::Outcome::Removed) {
      rewritten.push_back(&site);
      vanishing.push_back(removeOverride(tree, site, v.removal, edits));
    } else if (v.outcome == model::Outcome::Rewritten) {
      EditSet call;
      rewriteCall(tree, site, v, call);
      if (v.move)
        moveStatement(tree.text(), *v.move, moved, call);
      if (!v.importName.empty())
        imports.add(site, v.importModule, v.importName);
      edits.append(call);
      rewritten.push_back(&site);
      vanishing.push_back(site.callee);
    }
  }
  imports.finish(rewritten, vanishing, edits);
  if (changes)
    *changes = imports.moduleLevelChanges();
  return edits;
}

} // namespace poolify::rewrite
