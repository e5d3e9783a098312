#include "python/syntax.h"

#include "python/limits.h"
#include "python/nodes.h"

#include <algorithm>
#include <cstring>
#include <vector>

extern "C" const TSLanguage *tree_sitter_python(void); // NOLINT(readability-identifier-naming): the grammar's C name

namespace poolify::py {

namespace {
// Parses `text` (reusing `old`, which lives in `memory`, when given) with a parser of its own, in
// `memory`: the tree and everything the parse allocates are freed with that region. A new parser
// also starts with a new external scanner: tree-sitter-python's keeps its "inside an f-string" flag
// when tree-sitter resets it (deserialize with no state), so in a reused parser the flag leaked
// into the next parse (after a file that ends inside an f-string, and after most incremental
// parses of an f-string), where it suppresses DEDENT tokens until the first string ends, and
// valid code parsed with errors.
TSTree *parseIn(TreeMemory &memory, const TSTree *old, std::string_view text) {
  TreeMemory::Use use(memory);
  TSParser *parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_python());
  TSTree *tree = ts_parser_parse_string(parser, old, text.data(), static_cast<uint32_t>(text.size()));
  ts_parser_delete(parser);
  return tree;
}
} // namespace

// A text over the runtime's limits (python/limits.h) never reaches tree-sitter: a one-byte stand-in
// with a syntax error is parsed instead, so every caller refuses the file (the pipeline says why).
static std::string_view parsable(std::string_view text) { return parserLimitProblem(text) ? "(" : text; }

Tree Tree::parse(std::string_view text) {
  Tree t;
  t.text_ = text;
  std::string_view input = parsable(text);
  t.memory_ = std::make_unique<TreeMemory>();
  t.tree_.reset(parseIn(*t.memory_, nullptr, input));
  return t;
}

namespace {
// tree-sitter counts rows at '\n' only and columns in bytes (so CR, a form feed, or the bytes of
// a multibyte character each add one column): the same here, or the edited tree would disagree
// with the positions the parser sees.
TSPoint advance(TSPoint p, std::string_view text) {
  for (char c : text) {
    if (c == '\n') {
      ++p.row;
      p.column = 0;
    } else {
      ++p.column;
    }
  }
  return p;
}

// True when `edits` turn a text of `oldSize` bytes into one of `newSize` bytes: in range, sorted,
// non-overlapping, and the sizes add up.
bool describes(const std::vector<TextEdit> &edits, size_t oldSize, size_t newSize) {
  size_t pos = 0, size = oldSize;
  for (const TextEdit &e : edits) {
    if (e.offset < pos || e.offset > oldSize || e.length > oldSize - e.offset)
      return false;
    pos = e.offset + e.length;
    size = size - e.length + e.newLength;
  }
  return size == newSize;
}
} // namespace

Tree Tree::reparse(std::string_view newText, const std::vector<TextEdit> &edits) && {
  // Consume this tree whatever happens: the caller was told it is gone.
  std::unique_ptr<TreeMemory> memory = std::move(memory_);
  std::unique_ptr<TSTree, InMemory> old = std::move(tree_);
  std::string_view oldText = text_;
  text_ = {};
  nodes_.reset(); // of the old tree
  if (!old || !describes(edits, oldText.size(), newText.size()) || parserLimitProblem(newText))
    return parse(newText);
  // Points of every edit in the old text and where its replacement starts in the new one, in one
  // forward pass (a pass per edit would be quadratic in the file size).
  std::vector<TSInputEdit> inputs;
  inputs.reserve(edits.size());
  TSPoint at{0, 0};
  size_t scanned = 0, newScanned = 0; // the same place in the old text and in the new one
  for (const TextEdit &e : edits) {
    size_t newStart = newScanned + (e.offset - scanned);
    TSInputEdit in;
    in.start_point = at = advance(at, oldText.substr(scanned, e.offset - scanned));
    in.old_end_point = at = advance(at, oldText.substr(e.offset, e.length));
    in.new_end_point = advance(in.start_point, newText.substr(newStart, e.newLength));
    in.start_byte = static_cast<uint32_t>(e.offset);
    in.old_end_byte = static_cast<uint32_t>(e.offset + e.length);
    in.new_end_byte = static_cast<uint32_t>(e.offset + e.newLength);
    inputs.push_back(in);
    scanned = e.offset + e.length;
    newScanned = newStart + e.newLength;
  }
  // Last edit first: an edit only moves what follows it, so the earlier edits' old-text positions
  // are still the tree's positions when their turn comes.
  // (An edit may copy nodes the tree shares: in the tree's region, as the new tree's nodes, which
  // share the old tree's unchanged ones.)
  {
    TreeMemory::Use use(*memory);
    for (auto it = inputs.rbegin(); it != inputs.rend(); ++it)
      ts_tree_edit(old.get(), &*it);
  }
  Tree t;
  t.text_ = newText;
  t.memory_ = std::move(memory);
  t.tree_.reset(parseIn(*t.memory_, old.get(), newText));
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

std::vector<std::string_view> symbolNameTable() {
  const TSLanguage *lang = tree_sitter_python();
  std::vector<std::string_view> names(ts_language_symbol_count(lang));
  for (size_t i = 0; i < names.size(); ++i)
    if (const char *name = ts_language_symbol_name(lang, static_cast<TSSymbol>(i)))
      names[i] = name;
  return names;
}

std::vector<int8_t> symbolKinds(std::initializer_list<std::string_view> names) {
  const TSLanguage *lang = tree_sitter_python();
  std::vector<int8_t> kinds(ts_language_symbol_count(lang), -1);
  for (size_t i = 0; i < kinds.size(); ++i) {
    std::string_view name = ts_language_symbol_name(lang, static_cast<TSSymbol>(i));
    auto at = std::find(names.begin(), names.end(), name);
    if (at != names.end())
      kinds[i] = static_cast<int8_t>(at - names.begin());
  }
  return kinds;
}

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
// Node kinds that can hold a block, indexed by symbol: the module, blocks, compound statements
// and their clauses (`*_statement`, `*_clause`, `*_definition`), except the simple statements.
// Everything else (expressions, simple statements: most of a file's nodes) is not entered. An
// ERROR node is not entered either: an error inside it is never before its own start.
const std::vector<bool> &canHoldBlock() {
  static const std::vector<bool> table = [] {
    const TSLanguage *lang = tree_sitter_python();
    static const char *simple[] = {
        "expression_statement",    "return_statement",   "import_statement", "import_from_statement",
        "future_import_statement", "assert_statement",   "raise_statement",  "delete_statement",
        "global_statement",        "nonlocal_statement", "pass_statement",   "break_statement",
        "continue_statement",      "print_statement",    "exec_statement",   "type_alias_statement"};
    std::vector<bool> t(ts_language_symbol_count(lang), false);
    for (size_t i = 0; i < t.size(); ++i) {
      auto s = static_cast<TSSymbol>(i);
      std::string_view name = ts_language_symbol_name(lang, s);
      auto endsWith = [&](std::string_view x) {
        return name.size() >= x.size() && name.substr(name.size() - x.size()) == x;
      };
      bool simpleStatement =
          std::any_of(std::begin(simple), std::end(simple), [&](const char *x) { return name == x; });
      t[s] = name == "module" || name == "block" ||
             ((endsWith("_statement") || endsWith("_clause") || endsWith("_definition")) && !simpleStatement);
    }
    return t;
  }();
  return table;
}

std::optional<size_t> firstIndentError(const Nodes &nodes, std::string_view text) {
  const std::vector<bool> &enter = canHoldBlock();
  enum Kind : int8_t { Block, Module, Comment };
  static const std::vector<int8_t> kinds = symbolKinds({"block", "module", "comment"});
  auto kind = [&](uint32_t i) { return nodes[i].symbol < kinds.size() ? kinds[nodes[i].symbol] : -1; };
  for (uint32_t i = 0; i < nodes.size();) {
    TSSymbol symbol = nodes[i].symbol;
    if (!(symbol < enter.size() && enter[symbol])) {
      i = nodes[i].next; // not entered
      continue;
    }
    if (kind(i) == Block || kind(i) == Module) {
      long column = -1;
      for (uint32_t c = nodes.firstChild(i); c != Nodes::kNone; c = nodes.nextSibling(c)) {
        TSNode child = nodes.node(c);
        if (kind(c) == Comment)
          continue;
        if (trailingCommaImport(child))
          return end(child) - 1;
        long col = lineColumn(text, start(child));
        if (col < 0)
          continue;
        if (column < 0)
          column = col;
        else if (col != column)
          return start(child);
      }
    }
    ++i;
  }
  return std::nullopt;
}
} // namespace

std::optional<size_t> Tree::firstError() const {
  std::optional<size_t> at;
  forEachError(root(), [&](TSNode n) {
    at = start(n);
    return false;
  });
  if (auto indent = firstIndentError(nodes(), text_); indent && (!at || *indent < *at))
    at = indent;
  return at;
}

std::vector<TSNode> namedChildren(TSNode n) {
  std::vector<TSNode> out;
  forEachChild(n, [&](TSNode c, std::string_view) { out.push_back(c); });
  return out;
}

TSNode field(TSNode n, std::string_view name) {
  // ts_node_child_by_field_name compares the name with every field name of the grammar: look the
  // id up once per name instead (the grammar's field names, built on first use).
  static const std::vector<std::string_view> names = [] {
    const TSLanguage *lang = tree_sitter_python();
    std::vector<std::string_view> v(ts_language_field_count(lang) + 1);
    for (size_t id = 1; id < v.size(); ++id)
      if (const char *f = ts_language_field_name_for_id(lang, static_cast<TSFieldId>(id)))
        v[id] = f;
    return v;
  }();
  for (size_t id = 1; id < names.size(); ++id)
    if (names[id] == name)
      return ts_node_child_by_field_id(n, static_cast<TSFieldId>(id));
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
