#include "analysis/reorder.h"

#include "analysis/methods.h"
#include "python/walk.h"

#include <fmt/format.h>

#include <algorithm>

namespace poolify::analysis {

using py::is;

namespace {

// Only blanks, or a comment, after `offset` on its line.
bool onlyCommentAfter(std::string_view text, size_t offset) {
  while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\t'))
    ++offset;
  return offset >= text.size() || text[offset] == '\n' || text[offset] == '\r' || text[offset] == '#';
}

// A statement directly in a block that is alone on its lines (no `;` neighbours).
bool aloneInBlock(const py::Tree &tree, TSNode stmt) {
  return is(ts_node_parent(stmt), "block") && onlyBlankBefore(tree.text(), py::start(stmt)) &&
         onlyCommentAfter(tree.text(), py::end(stmt));
}

// True when `n` is the target itself: the identifier `name` (as a name, not an attribute's or a
// keyword's) or `<name>.<attr>`.
bool isTarget(const py::Tree &tree, TSNode n, const MoveTarget &t) {
  if (!t.attr.empty())
    return isSelfAttribute(tree, n, t.name, t.attr);
  if (!is(n, "identifier") || tree.text(n) != t.name)
    return false;
  std::string_view role = py::fieldOf(n);
  return role != "attribute" && !(role == "name" && is(ts_node_parent(n), "keyword_argument"));
}

bool mentions(const py::Tree &tree, TSNode root, const MoveTarget &t) {
  bool found = false;
  py::forEachNamed(root, [&](TSNode n) {
    found = found || isTarget(tree, n, t);
    return !found;
  });
  return found;
}

// What an assignment target names, when it is a plain name or `<self>.X` ("" otherwise).
std::string plainTarget(const py::Tree &tree, TSNode left, const std::string &self) {
  if (is(left, "identifier"))
    return std::string(tree.text(left));
  TSNode obj = py::field(left, "object");
  if (is(left, "attribute") && !self.empty() && is(obj, "identifier") && tree.text(obj) == self)
    return std::string(tree.text(left));
  return "";
}

// An expression statement with no call, await, yield or walrus in it, whose assignment targets are
// plain (appended to `assigned`). False otherwise.
bool inertStatement(const py::Tree &tree, TSNode stmt, const std::string &self, std::vector<std::string> &assigned) {
  if (!is(stmt, "expression_statement"))
    return false;
  bool ok = true;
  py::forEachNamed(stmt, [&](TSNode n) {
    if (is(n, "call") || is(n, "await") || is(n, "yield") || is(n, "named_expression") || is(n, "lambda"))
      ok = false;
    if (is(n, "assignment") || is(n, "augmented_assignment")) {
      std::string t = plainTarget(tree, py::field(n, "left"), self);
      ok = ok && !t.empty();
      assigned.push_back(t);
    }
    return ok;
  });
  return ok;
}

// The value of `target = VALUE` (one target, no annotation, not augmented); null otherwise.
TSNode assignedValue(const py::Tree &tree, TSNode stmt, const MoveTarget &t) {
  if (!is(stmt, "expression_statement") || ts_node_named_child_count(stmt) != 1)
    return TSNode{};
  TSNode a = ts_node_named_child(stmt, 0);
  if (!is(a, "assignment") || !ts_node_is_null(py::field(a, "type")))
    return TSNode{};
  TSNode right = py::field(a, "right");
  if (ts_node_is_null(right) || is(right, "assignment") || !isTarget(tree, py::field(a, "left"), t))
    return TSNode{};
  return right;
}

// The value reads nothing assigned in `assigned`, and uses the instance only to read plain
// attributes (not methods of `cls`, not called, not passed on).
bool independentValue(const py::Tree &tree, TSNode value, const std::string &self, TSNode cls,
                      const std::vector<std::string> &assigned) {
  auto assignedHere = [&](std::string_view s) {
    return std::find(assigned.begin(), assigned.end(), s) != assigned.end();
  };
  bool ok = true;
  py::forEachNamed(value, [&](TSNode n) {
    if (!is(n, "identifier") || py::fieldOf(n) == "attribute" ||
        (py::fieldOf(n) == "name" && is(ts_node_parent(n), "keyword_argument")))
      return ok;
    TSNode parent = ts_node_parent(n);
    if (!self.empty() && tree.text(n) == self) {
      bool read = is(parent, "attribute") && py::fieldOf(n) == "object";
      TSNode call = read ? ts_node_parent(parent) : TSNode{};
      std::string_view attr = read ? tree.text(py::field(parent, "attribute")) : std::string_view();
      ok = read && !(is(call, "call") && py::same(py::field(call, "function"), parent)) &&
           ts_node_is_null(methodNamed(tree, cls, attr)) && !assignedHere(tree.text(parent));
    } else {
      ok = !assignedHere(tree.text(n));
    }
    return ok;
  });
  return ok;
}

// The next statement of the block after `stmt`, comments skipped (null at the end).
TSNode nextStatement(TSNode stmt) {
  TSNode n = ts_node_next_named_sibling(stmt);
  while (is(n, "comment"))
    n = ts_node_next_named_sibling(n);
  return n;
}

// The start of the line where `stmt` begins, or of the own-line comments right above it, indented
// as it is, with no blank line between: they say what the statement does, or are directives for the
// next line (`# pylint: disable-next=...`), so they go where it goes and stay right above it. Each
// line is asked of the tree (a comment node starting its line), never of the text, which may be a
// string.
uint32_t withLeadingComments(const py::Tree &tree, TSNode stmt) {
  std::string_view text = tree.text();
  std::string_view indent = indentOf(text, py::start(stmt));
  size_t start = lineStartOf(text, py::start(stmt));
  while (start > 0) {
    size_t above = lineStartOf(text, start - 1);
    size_t first = text.find_first_not_of(" \t", above);
    if (first >= start - 1 || text.substr(above, first - above) != indent)
      break; // a blank line, or a comment of another block
    TSNode c = ts_node_named_descendant_for_byte_range(tree.root(), static_cast<uint32_t>(first),
                                                       static_cast<uint32_t>(first));
    if (!is(c, "comment") || py::start(c) != first)
      break;
    start = above;
  }
  return static_cast<uint32_t>(start);
}

} // namespace

std::optional<model::StatementMove> movableAbove(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                                 const MoveTarget &target, const std::vector<Site> &sites,
                                                 const LineIndex &lines) {
  const auto &scopes = model.scopes();
  if (ts_node_is_null(site.call) || site.scope <= 0 || scopes[site.scope].kind != py::ScopeKind::Function)
    return std::nullopt;
  auto method = methodOf(tree, model, site.scope);
  if (!target.attr.empty() ? !method || method->scope != site.scope || method->self != target.name
                           : model.resolve(target.name, site.scope) != site.scope)
    return std::nullopt;
  std::string self = method && method->scope == site.scope ? method->self : "";
  TSNode cls = method ? method->cls : TSNode{};
  TSNode s = py::enclosingStatement(site.call);
  std::vector<std::string> assigned;
  if (!aloneInBlock(tree, s) || !is(s, "expression_statement") || mentions(tree, s, target))
    return std::nullopt;
  bool plain = true;
  py::forEachNamed(s, [&](TSNode n) {
    if (is(n, "assignment") || is(n, "augmented_assignment")) {
      assigned.push_back(plainTarget(tree, py::field(n, "left"), self));
      plain = plain && !assigned.back().empty();
    }
    return plain;
  });
  if (!plain)
    return std::nullopt;
  TSNode t = nextStatement(s);
  TSNode value = assignedValue(tree, t, target);
  for (; !ts_node_is_null(t) && ts_node_is_null(value); t = nextStatement(t), value = assignedValue(tree, t, target))
    if (mentions(tree, t, target) || !inertStatement(tree, t, self, assigned))
      return std::nullopt;
  if (ts_node_is_null(value) || !aloneInBlock(tree, t) || !independentValue(tree, value, self, cls, assigned))
    return std::nullopt;
  bool holdsSite = std::any_of(sites.begin(), sites.end(), [&](const Site &x) { return py::contains(t, x.callee); });
  if (holdsSite)
    return std::nullopt;
  std::string_view text = tree.text();
  model::StatementMove m;
  m.start = withLeadingComments(tree, t);
  m.end = static_cast<uint32_t>(lineEndOf(text, py::end(t)));
  m.to = withLeadingComments(tree, s);
  m.statement = py::start(t);
  m.above = py::start(s);
  m.fromLine = lines.at(py::start(t)).line;
  m.toLine = lines.at(py::start(s)).line;
  m.target = target.text();
  if (m.end == 0 || text[m.end - 1] != '\n')
    return std::nullopt; // the last line of a file without its line end
  return m;
}

std::string moveReason(const model::StatementMove &move) {
  return fmt::format("moves '{} = ...' from line {} above line {}", move.target, move.fromLine, move.toLine);
}

} // namespace poolify::analysis
