// Where syntax trees live: every parse allocates its tree, and the parser's scratch, in a region of
// its own (tree-sitter's allocator is poolify's), which is freed whole with the tree. A tree is then
// freed in a few calls instead of one free per node after a walk of all of them, and allocating a
// node is a pointer bump instead of a malloc. What tree-sitter hands its caller to free
// (ts_node_string's text) must be freed with its ts_current_free, not with free().
#pragma once

#include <cstddef>
#include <vector>

namespace poolify::py {

class TreeMemory {
public:
  TreeMemory();
  ~TreeMemory();
  TreeMemory(const TreeMemory &) = delete;
  TreeMemory &operator=(const TreeMemory &) = delete;

  /// While a Use is alive, tree-sitter's allocations on this thread come from `memory`, and what
  /// tree-sitter frees of it stays until the region goes (uses nest: the innermost one counts).
  /// Outside any Use (cursors, for instance) they come from the heap, as tree-sitter's own do.
  class Use {
  public:
    explicit Use(TreeMemory &memory);
    ~Use();
    Use(const Use &) = delete;
    Use &operator=(const Use &) = delete;

  private:
    TreeMemory *previous_;
  };

  /// True in a build with AddressSanitizer: every block is its own malloc, so the sanitizer sees
  /// each one, and no block grows in place.
  static const bool kOneMallocPerBlock;

  /// Bytes the region holds, for tests and measurements.
  size_t reserved() const { return reserved_; }

  /// Makes tree-sitter allocate through poolify (once per process, before its first allocation;
  /// every Use calls it).
  static void install();

  void *allocate(size_t bytes);
  /// Grows the block at `p` (of `oldBytes`, the region's last) to `newBytes` in place when it can.
  bool growInPlace(void *p, size_t oldBytes, size_t newBytes);

private:
  char *newBlock(size_t bytes);

  std::vector<void *> blocks_;
  char *next_ = nullptr;
  char *end_ = nullptr;
  size_t reserved_ = 0;
};

} // namespace poolify::py
