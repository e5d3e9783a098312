#include "python/syntax.h"

#include <cstring>
#include <vector>

extern "C" const TSLanguage *tree_sitter_python(void);

namespace poolify::py {

namespace {
struct ParserDeleter {
  void operator()(TSParser *p) const { ts_parser_delete(p); }
};
TSParser *threadParser() {
  thread_local std::unique_ptr<TSParser, ParserDeleter> parser;
  if (!parser) {
    parser.reset(ts_parser_new());
    ts_parser_set_language(parser.get(), tree_sitter_python());
  }
  return parser.get();
}
} // namespace

Tree Tree::parse(std::string_view text) {
  Tree t;
  t.text_ = text;
  t.tree_.reset(ts_parser_parse_string(threadParser(), nullptr, text.data(), static_cast<uint32_t>(text.size())));
  return t;
}

namespace {
// Visits every ERROR/MISSING node in document order without recursion; stops when f returns false.
template <typename F> void forEachError(TSNode root, F f) {
  if (!ts_node_has_error(root))
    return;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = ts_node_has_error(n);
    if ((std::strcmp(ts_node_type(n), "ERROR") == 0) || ts_node_is_missing(n)) {
      if (!f(n))
        break;
      descend = false;
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur))
      continue;
    bool moved = false;
    while (!moved) {
      if (ts_tree_cursor_goto_next_sibling(&cur)) {
        moved = true;
      } else if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return;
      }
    }
  }
  ts_tree_cursor_delete(&cur);
}
} // namespace

namespace {
// Column (in bytes) of a node that starts a line, or -1 when something precedes it on its line.
// A form feed resets the column, as in CPython's tokenizer.
long lineColumn(std::string_view text, uint32_t offset) {
  uint32_t i = offset, col = 0;
  bool counting = true;
  while (i > 0 && text[i - 1] != '\n') {
    char c = text[i - 1];
    if (c != ' ' && c != '\t' && c != '\f')
      return -1;
    if (c == '\f')
      counting = false;
    else if (counting)
      ++col;
    --i;
  }
  return static_cast<long>(col);
}

// tree-sitter's grammar accepts `from m import a, b,` without parentheses; CPython does not.
bool trailingCommaImport(TSNode stmt) {
  if (!is(stmt, "import_from_statement") && !is(stmt, "import_statement"))
    return false;
  uint32_t n = ts_node_child_count(stmt);
  if (n == 0)
    return false;
  TSNode last = ts_node_child(stmt, n - 1);
  return !ts_node_is_named(last) && std::strcmp(ts_node_type(last), ",") == 0;
}

// tree-sitter accepts a statement indented deeper than its siblings (CPython's "unexpected
// indent"): every statement of a block that starts a line must start at the same column.
std::optional<size_t> firstIndentError(TSNode root, std::string_view text) {
  std::optional<size_t> found;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    if (is(n, "block") || is(n, "module")) {
      long column = -1;
      for (TSNode c : namedChildren(n)) {
        if (found)
          break;
        if (is(c, "comment"))
          continue;
        if (trailingCommaImport(c)) {
          found = end(c) - 1;
          break;
        }
        long col = lineColumn(text, start(c));
        if (col < 0)
          continue;
        if (column < 0)
          column = col;
        else if (col != column)
          found = start(c);
      }
      if (found)
        break;
    }
    if (ts_tree_cursor_goto_first_child(&cur))
      continue;
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur))
      if (!ts_tree_cursor_goto_parent(&cur)) {
        done = true;
        break;
      }
    if (done)
      break;
  }
  ts_tree_cursor_delete(&cur);
  return found;
}
} // namespace

std::optional<size_t> Tree::firstError() const {
  std::optional<size_t> at;
  forEachError(root(), [&](TSNode n) {
    at = start(n);
    return false;
  });
  if (auto indent = firstIndentError(root(), text_); indent && (!at || *indent < *at))
    at = indent;
  return at;
}


std::vector<TSNode> namedChildren(TSNode n) {
  std::vector<TSNode> out;
  forEachChild(n, [&](TSNode c, std::string_view) { out.push_back(c); });
  return out;
}

TSNode field(TSNode n, std::string_view name) {
  return ts_node_child_by_field_name(n, name.data(), static_cast<uint32_t>(name.size()));
}

std::string_view fieldOf(TSNode child) {
  TSNode parent = ts_node_parent(child);
  if (ts_node_is_null(parent))
    return {};
  TSTreeCursor cur = ts_tree_cursor_new(parent);
  std::string_view result;
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      if (ts_node_eq(ts_tree_cursor_current_node(&cur), child)) {
        const char *f = ts_tree_cursor_current_field_name(&cur);
        if (f)
          result = f;
        break;
      }
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
  return result;
}

TSNode enclosingStatement(TSNode n) {
  for (TSNode cur = n; !ts_node_is_null(cur);) {
    TSNode p = ts_node_parent(cur);
    if (ts_node_is_null(p))
      return cur;
    if (is(p, "block") || is(p, "module"))
      return cur;
    cur = p;
  }
  return n;
}


} // namespace poolify::py
