#include "python/nodes.h"

#include <algorithm>
#include <memory>

namespace poolify::py {

Nodes::Nodes(TSNode root) {
  if (ts_node_is_null(root))
    return;
  entries_.push_back({root, kNone, 0, ts_node_symbol(root), 0, false});
  // For each level of the cursor, the index of the nearest named node at or above it: the parent
  // of a named node found one level below. (Anonymous nodes are tokens, but an alias may give a
  // node with children no name: its named children hang from the named node above it.)
  // Alongside, for each level, whether the node there is anonymous (its children's direct parent
  // is then not the named node above).
  std::vector<uint32_t> named{0};
  std::vector<bool> anonymous{false};
  TSTreeCursor cur = ts_tree_cursor_new(root);
  auto visit = [&] {
    TSNode n = ts_tree_cursor_current_node(&cur);
    uint32_t parent = named.back();
    bool isNamed = ts_node_is_named(n);
    if (isNamed) {
      named.push_back(static_cast<uint32_t>(entries_.size()));
      entries_.push_back({n, parent, 0, ts_node_symbol(n), ts_tree_cursor_current_field_id(&cur), anonymous.back()});
    } else {
      named.push_back(parent);
    }
    anonymous.push_back(!isNamed);
  };
  for (;;) {
    if (ts_tree_cursor_goto_first_child(&cur)) {
      visit();
      continue;
    }
    bool moved = false;
    while (!moved) {
      named.pop_back();
      anonymous.pop_back();
      if (ts_tree_cursor_goto_next_sibling(&cur)) {
        visit();
        moved = true;
      } else if (!ts_tree_cursor_goto_parent(&cur)) {
        break;
      }
    }
    if (!moved)
      break;
  }
  ts_tree_cursor_delete(&cur);
  // Subtree ends from the parents: a node's subtree is itself and its children's, and every
  // child comes after its parent.
  for (auto &e : entries_)
    e.next = 1;
  for (uint32_t i = size(); i-- > 1;)
    entries_[entries_[i].parent].next += entries_[i].next;
  for (uint32_t i = 0; i < size(); ++i)
    entries_[i].next += i;
}

uint32_t Nodes::find(TSNode n) const {
  if (ts_node_is_null(n) || entries_.empty() || n.tree != entries_[0].node.tree)
    return kNone;
  uint32_t at = start(n);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), at,
                             [](const Entry &e, uint32_t offset) { return start(e.node) < offset; });
  for (; it != entries_.end() && start(it->node) == at; ++it)
    if (it->node.id == n.id)
      return static_cast<uint32_t>(it - entries_.begin());
  return kNone;
}

TSNode Tree::parent(TSNode n) const {
  const Nodes &table = nodes();
  uint32_t i = table.find(n);
  if (i == Nodes::kNone || table[i].viaAnonymous)
    return ts_node_parent(n);
  uint32_t p = table[i].parent;
  return p == Nodes::kNone ? TSNode{} : table.node(p);
}

const Nodes &Tree::nodes() const {
  if (!nodes_)
    nodes_ = std::make_shared<const Nodes>(root());
  return *nodes_;
}

std::string_view Nodes::fieldName(uint32_t i) const {
  if (entries_[i].field == 0)
    return {};
  const char *name = ts_language_field_name_for_id(ts_tree_language(entries_[i].node.tree), entries_[i].field);
  return name ? std::string_view(name) : std::string_view();
}

} // namespace poolify::py
