// Syntax trees live in regions of their own (python/tree_memory.h): a tree must stay whole for as
// long as its Tree object, whichever thread made it, and tree-sitter's other allocations (cursors)
// must come from, and go back to, the heap.
#include "python/syntax.h"
#include "python/tree_memory.h"
#include "python/walk.h"

#include <doctest/doctest.h>

#include <tree_sitter/api.h>

#include <cstring>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

extern "C" {
// tree-sitter's allocator (lib/src/alloc.h), which TreeMemory::install sets.
extern void *(*ts_current_malloc)(size_t size);
extern void *(*ts_current_realloc)(void *ptr, size_t size);
extern void (*ts_current_free)(void *ptr);
}

using namespace poolify::py;

namespace {
using Shape = std::vector<std::tuple<TSSymbol, uint32_t, uint32_t>>;

Shape shapeOf(const Tree &tree) {
  Shape out;
  forEachNamed(tree.root(), [&](TSNode n) {
    out.emplace_back(ts_node_symbol(n), start(n), end(n));
    return true;
  });
  return out;
}

std::string module(int i) {
  std::string text = "import os\n\nclass C" + std::to_string(i) + ":\n    def run(self, x):\n";
  for (int k = 0; k < 50; ++k)
    text += "        y" + std::to_string(k) + " = f\"{x}-" + std::to_string(k) + "\" if x else [x, (x, x)]\n";
  return text + "        return os.path.join(x, y0)\n";
}
} // namespace

TEST_CASE("trees made on a thread that has ended are whole, and are freed on another") {
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i)
    texts.push_back(module(i));
  // An edited tree shares the old one's nodes: it takes the old tree's region with it.
  std::string edited = texts[0];
  edited.replace(edited.find("os.path"), 2, "posixpath");
  std::vector<Tree> trees;
  std::thread worker([&] {
    for (const auto &t : texts)
      trees.push_back(Tree::parse(t));
    trees[0] = std::move(trees[0]).reparse(edited, {{edited.find("posixpath"), 2, 9}});
  });
  worker.join();
  texts[0] = edited; // (trees[0] views `edited`)
  for (size_t i = 0; i < texts.size(); ++i) {
    CAPTURE(i);
    CHECK_FALSE(trees[i].firstError());
    CHECK(shapeOf(trees[i]) == shapeOf(Tree::parse(texts[i])));
  }
  trees.clear(); // freed here, on this thread
}

TEST_CASE("within a Use, tree-sitter allocates in the region; outside, and after it, on the heap") {
  TreeMemory::install();
  TreeMemory outer, inner;
  size_t outerBefore = outer.reserved(), innerBefore = inner.reserved();
  void *heap = ts_current_malloc(64);
  std::memset(heap, 'h', 64);
  CHECK(outer.reserved() == outerBefore);
  void *a = nullptr, *b = nullptr;
  {
    TreeMemory::Use useOuter(outer);
    a = ts_current_malloc(100000); // more than a block holds
    {
      TreeMemory::Use useInner(inner); // the innermost Use counts
      b = ts_current_malloc(32);
    }
    // A heap block reallocated within a Use moves into the region, with its bytes.
    heap = ts_current_realloc(heap, 128);
    ts_current_free(a); // a region's block stays until the region goes: nothing to do
  }
  CHECK(outer.reserved() > outerBefore);
  CHECK(inner.reserved() > innerBefore);
  CHECK(std::string(static_cast<char *>(heap), 64) == std::string(64, 'h'));
  // Outside any Use, a region's block that grows moves to the heap, with its bytes.
  std::memset(b, 'b', 32);
  void *moved = ts_current_realloc(b, 4096);
  CHECK(std::string(static_cast<char *>(moved), 32) == std::string(32, 'b'));
  ts_current_free(moved);
  ts_current_free(heap);
}

TEST_CASE("a region's last block grows in place, any other moves") {
  TreeMemory memory;
  void *first = memory.allocate(48);
  void *last = memory.allocate(48);
  CHECK(memory.growInPlace(last, 48, 96) == !TreeMemory::kOneMallocPerBlock);
  CHECK_FALSE(memory.growInPlace(first, 48, 96));
  CHECK_FALSE(memory.growInPlace(last, 96, memory.reserved() * 2)); // past the block's end
}

TEST_CASE("a cursor over a tree comes from the heap, and may outlive the Use of a parse") {
  std::string text = "a.b.c.d.e.f.g.h.i.j.k\n" + module(1); // the first leaf lies 12 levels down
  Tree tree = Tree::parse(text);
  TSTreeCursor cur = ts_tree_cursor_new(tree.root());
  size_t depth = 0;
  while (ts_tree_cursor_goto_first_child(&cur))
    ++depth; // grows the cursor's stack past its first reservation
  std::string otherText = module(2);
  Tree other = Tree::parse(otherText); // a parse in between
  CHECK(depth > 10);
  CHECK_FALSE(other.firstError());
  ts_tree_cursor_delete(&cur);
}
