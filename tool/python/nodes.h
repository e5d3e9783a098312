// The named nodes of one syntax tree as a flat array in document order, made by one cursor walk:
// the passes over a file (the CPython check, the scope model, the class facts, the reach facts)
// read it instead of walking the tree again each, and get a node's parent, field and kind from it
// (no ts_node_parent climb, no string compare of the kind).
#pragma once

#include "python/syntax.h"

#include <cstdint>
#include <vector>

namespace poolify::py {

class Nodes {
public:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Entry {
    TSNode node;
    uint32_t parent;   // the nearest named ancestor's index (kNone for the root)
    uint32_t next;     // the index after this node's subtree
    TSSymbol symbol;   // ts_node_symbol (aliases resolved)
    TSFieldId field;   // the field this node hangs under in its parent (0: none)
    bool viaAnonymous; // its direct parent is an anonymous node (an alias with children), not `parent`
  };

  /// Every named node under `root` (root included, at index 0), in document order.
  explicit Nodes(TSNode root);

  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }
  const Entry &operator[](uint32_t i) const { return entries_[i]; }
  const TSNode &node(uint32_t i) const { return entries_[i].node; }

  /// The index of `n`, or kNone when `n` is not one of the table's nodes (an anonymous node, a
  /// node of another tree, a null node). A binary search by start byte.
  uint32_t find(TSNode n) const;

  /// The first named child of node i, or kNone.
  uint32_t firstChild(uint32_t i) const { return i + 1 < entries_[i].next ? i + 1 : kNone; }
  /// The named sibling after node i, or kNone.
  uint32_t nextSibling(uint32_t i) const {
    uint32_t p = entries_[i].parent;
    uint32_t n = entries_[i].next;
    return p != kNone && n < entries_[p].next ? n : kNone;
  }
  /// Calls f(index) for each named child of node i, in order.
  template <typename F> void forEachChild(uint32_t i, F &&f) const {
    for (uint32_t c = firstChild(i); c != kNone; c = nextSibling(c))
      f(c);
  }
  /// Calls f(node) for node i and every named node under it, in document order; when f returns
  /// false the node's children are skipped (as py::forEachNamed, without a walk).
  template <typename F> void forEachNamed(uint32_t i, F &&f) const {
    for (uint32_t k = i, stop = entries_[i].next; k < stop;)
      k = f(entries_[k].node) ? k + 1 : entries_[k].next;
  }
  /// The field name of node i in its parent ("" when none).
  std::string_view fieldName(uint32_t i) const;

private:
  std::vector<Entry> entries_;
};

} // namespace poolify::py
