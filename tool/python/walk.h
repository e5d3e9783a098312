// Iterative pre-order traversal of a syntax tree (no recursion over depth).
#pragma once

#include "python/syntax.h"

namespace poolify::py {

/// Calls f(node, depth) for every named node under `root` in document order, with the node's depth
/// below `root` in the visible tree (hidden nodes do not count), so a caller can keep state per
/// ancestor in a stack no deeper than the tree. When f returns false the node's children are skipped.
template <typename F> void forEachNamedAtDepth(TSNode root, F &&f) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  uint32_t depth = 0; // the cursor moves between visible nodes: one step down or up is one level
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = true;
    if (ts_node_is_named(n))
      descend = f(n, depth);
    if (descend && ts_tree_cursor_goto_first_child(&cur)) {
      ++depth;
      continue;
    }
    for (;;) {
      if (ts_tree_cursor_goto_next_sibling(&cur))
        break;
      if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return;
      }
      --depth;
    }
  }
}

/// Calls f(node) for every named node under `root` in document order. When f returns false
/// the node's children are skipped.
template <typename F> void forEachNamed(TSNode root, F &&f) {
  forEachNamedAtDepth(root, [&f](TSNode n, uint32_t) { return f(n); });
}

} // namespace poolify::py
