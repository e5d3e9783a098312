// Iterative pre-order traversal of a syntax tree (no recursion over depth).
#pragma once

#include "python/syntax.h"

namespace poolify::py {

/// Calls f(node) for every named node under `root` in document order. When f returns false
/// the node's children are skipped.
template <typename F> void forEachNamed(TSNode root, F &&f) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = true;
    if (ts_node_is_named(n))
      descend = f(n);
    if (descend && ts_tree_cursor_goto_first_child(&cur))
      continue;
    for (;;) {
      if (ts_tree_cursor_goto_next_sibling(&cur))
        break;
      if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return;
      }
    }
  }
}

/// As forEachNamed, with each node's depth below `root` (the cursor's depth: hidden nodes do not
/// count), so a caller can keep state per ancestor in a stack no deeper than the tree.
template <typename F> void forEachNamedAtDepth(TSNode root, F &&f) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = true;
    if (ts_node_is_named(n))
      descend = f(n, ts_tree_cursor_current_depth(&cur));
    if (descend && ts_tree_cursor_goto_first_child(&cur))
      continue;
    for (;;) {
      if (ts_tree_cursor_goto_next_sibling(&cur))
        break;
      if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return;
      }
    }
  }
}

} // namespace poolify::py
