// Python syntax trees: a tree-sitter parse of one buffer, and small helpers over TSNode.
// The buffer must outlive the tree. Nothing here recurses over tree depth.
#pragma once

#include "python/tree_memory.h"

#include <tree_sitter/api.h>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace poolify::py {

class Nodes;

/// One replacement in a text: the `length` bytes at `offset` become `newLength` bytes. (The
/// rewriter's edits carry their text; a tree only needs the sizes, so this stays independent of
/// tool/rewrite.)
struct TextEdit {
  size_t offset = 0;
  size_t length = 0;
  size_t newLength = 0;
};

class Tree {
public:
  /// Parses `text` as Python (UTF-8 or any ASCII-compatible encoding; identifiers are ASCII).
  static Tree parse(std::string_view text);
  /// Parses `newText`, which is this tree's text with `edits` applied (offsets and lengths in this
  /// tree's text; sorted by offset, non-overlapping), reusing the unchanged parts of this tree
  /// (tree-sitter's incremental parsing), for less work than parse(newText) when the edits are
  /// small. Where parse(newText) finds no ERROR or MISSING node, the result is the same tree, and
  /// firstError() the same. Where it does, the result has an error too, but tree-sitter's error
  /// recovery depends on what it reused: the error nodes, and so firstError()'s offset, may differ
  /// (tests/unit/syntax_test.cpp has a case); to report where the error is, parse from scratch.
  /// This tree is consumed (it is edited in place): call as `std::move(tree).reparse(...)`;
  /// afterwards it is empty and must not be used. `newText` must outlive the result, as for
  /// parse(). When the edits do not describe `newText` (out of range, unsorted, overlapping, or
  /// the sizes do not add up), it falls back to a full parse rather than trust them.
  Tree reparse(std::string_view newText, const std::vector<TextEdit> &edits) &&;
  TSNode root() const { return ts_tree_root_node(tree_.get()); }
  std::string_view text() const { return text_; }
  std::string_view text(TSNode n) const {
    return text_.substr(ts_node_start_byte(n), ts_node_end_byte(n) - ts_node_start_byte(n));
  }
  /// Offset of the first ERROR or MISSING node, if any.
  std::optional<size_t> firstError() const;
  /// The tree's named nodes in document order (python/nodes.h): made by one walk, on first use,
  /// for every pass over the file after it.
  const Nodes &nodes() const;
  /// ts_node_parent(n) for a node of this tree, looked up in nodes() (a binary search) instead of
  /// descending from the root, which costs the depth times the children passed on the way (a
  /// module of 50,000 functions).
  TSNode parent(TSNode n) const;

private:
  // The tree lives in memory_ (python/tree_memory.h), which frees it whole: never ts_tree_delete.
  struct InMemory {
    void operator()(TSTree *) const {}
  };
  std::unique_ptr<TreeMemory> memory_;
  std::unique_ptr<TSTree, InMemory> tree_;
  std::string_view text_;
  mutable std::shared_ptr<const Nodes> nodes_;
};

/// The grammar's symbol names by symbol id, as ts_node_symbol gives ids (aliases resolved): what
/// ts_node_type gives, with the length known (no strlen in type() and is(), which the walks call
/// for most nodes).
std::vector<std::string_view> symbolNameTable();
inline const std::vector<std::string_view> &symbolNames() {
  static const std::vector<std::string_view> names = symbolNameTable();
  return names;
}
inline std::string_view type(TSNode n) {
  TSSymbol s = ts_node_symbol(n);
  const auto &names = symbolNames();
  return s < names.size() ? names[s] : std::string_view(ts_node_type(n)); // ERROR is past the table
}
inline bool is(TSNode n, std::string_view kind) { return !ts_node_is_null(n) && type(n) == kind; }
inline uint32_t start(TSNode n) { return ts_node_start_byte(n); }
inline uint32_t end(TSNode n) { return ts_node_end_byte(n); }
inline bool same(TSNode a, TSNode b) { return ts_node_eq(a, b); }
TSNode field(TSNode n, std::string_view name);
/// The field name under which `child` hangs from its parent ("" when none). Costly (it finds the
/// parent); when iterating a node's children, forEachChild gives the field names for free.
std::string_view fieldOf(TSNode child);

/// A node's kind by its symbol id, without comparing strings: for each of the grammar's symbols,
/// the position in `names` of its name (as ts_node_type gives it, aliases included), or -1. Build
/// it once (a static) and look kinds up with kindOf.
std::vector<int8_t> symbolKinds(std::initializer_list<std::string_view> names);
inline int kindOf(const std::vector<int8_t> &kinds, TSNode n) {
  TSSymbol s = ts_node_symbol(n);
  return s < kinds.size() ? kinds[s] : -1;
}

/// The named children of `n`, in order. (ts_node_named_child(n, i) walks from the first child
/// each time: looping over i is quadratic in the number of children.)
std::vector<TSNode> namedChildren(TSNode n);

/// Calls f(child, fieldName) for every named child of `n`, in order ("" for no field).
template <typename F> void forEachChild(TSNode n, F &&f) {
  TSTreeCursor cur = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&cur)) {
    do {
      TSNode c = ts_tree_cursor_current_node(&cur);
      if (ts_node_is_named(c)) {
        const char *field = ts_tree_cursor_current_field_name(&cur);
        f(c, std::string_view(field ? field : ""));
      }
    } while (ts_tree_cursor_goto_next_sibling(&cur));
  }
  ts_tree_cursor_delete(&cur);
}
/// True when `inner` lies within `outer` (inclusive).
inline bool contains(TSNode outer, TSNode inner) { return start(outer) <= start(inner) && end(inner) <= end(outer); }
/// The statement node that contains `n` (a direct child of a block or the module).
TSNode enclosingStatement(TSNode n);

} // namespace poolify::py
