// The flat table of named nodes (python/nodes.h) stands for the tree in every pass over a file
// after its walk: each entry must be what tree-sitter's own node API says, on valid code and on
// code with errors, or the CPython check, the scope model and the class facts read a wrong tree.
#include "python/nodes.h"
#include "python/walk.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <string>
#include <vector>

using namespace poolify::py;

namespace {

const char *const kSources[] = {
    "",
    "# only a comment\n",
    "import os\nfrom a.b import c as d, e\nfrom . import x\n",
    "class A(Base, metaclass=M):\n    x: int = 1\n    def __init__(self, p=1, *a, **k):\n"
    "        self.c = bigquery.Client(project=p)  # comment\n        super().__init__()\n",
    "@dec(1)\ndef f(a, /, b: 'T' = 2, *, c):\n    return [y for y in a if y] + {k: v for k, v in b}\n",
    "x = f'{a!r:>{w}} and {b}'\nmatch p:\n    case Point(x=0, y=y) if y > 0:\n        pass\n    case _:\n        "
    "pass\n",
    "async def g():\n    async with a as (b, c):\n        await d\n    lambda q, *r: q\n",
    "try:\n    import ujson as json\nexcept ImportError:\n    json = None\nelse:\n    pass\nfinally:\n    del x\n",
    "if TYPE_CHECKING:\n    from google.cloud import bigquery\nwhile (n := next(it)) is not None: print(n)\n",
    "def broken(:\n    return\nclass\nx = (1,\n",              // errors
    "print 'py2'\nexec code\nx = 0777L\n",                     // Python 2
    "a = ((((((((((((((((((((1))))))))))))))))))))\n",         // nesting
    "s = '''doc\n''' ; t = u'x' ; v = b'\\x00' \\\n    + 1\n", // strings, continuation
};

// The named nodes in document order, by tree-sitter's cursor (py::forEachNamed).
std::vector<TSNode> namedInOrder(TSNode root) {
  std::vector<TSNode> out;
  forEachNamed(root, [&](TSNode n) {
    out.push_back(n);
    return true;
  });
  return out;
}

// Calls f on every node under root (root included), named and anonymous.
template <typename F> void forEachVisible(TSNode root, F &&f) {
  f(root);
  for (uint32_t i = 0; i < ts_node_child_count(root); ++i)
    forEachVisible(ts_node_child(root, i), f);
}

TSNode namedParent(TSNode n) {
  TSNode p = ts_node_parent(n);
  while (!ts_node_is_null(p) && !ts_node_is_named(p))
    p = ts_node_parent(p);
  return p;
}

// Every entry against the node API: the node, its parent, field, kind, subtree and children.
void checkAgainstTree(const std::string &source) {
  CAPTURE(source);
  Tree tree = Tree::parse(source);
  const Nodes &nodes = tree.nodes();
  std::vector<TSNode> order = namedInOrder(tree.root());
  REQUIRE(nodes.size() == order.size());
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    CAPTURE(i);
    TSNode n = nodes.node(i);
    CHECK(same(n, order[i]));
    CHECK(nodes[i].symbol == ts_node_symbol(n));
    CHECK(nodes.fieldName(i) == fieldOf(n));
    TSNode parent = namedParent(n);
    if (i == 0)
      CHECK(nodes[i].parent == Nodes::kNone);
    else
      CHECK(same(nodes.node(nodes[i].parent), parent));
    CHECK(nodes.find(n) == i);
    // The subtree: exactly the named nodes under n.
    CHECK(nodes[i].next - i == namedInOrder(n).size());
    // The children, in order.
    std::vector<TSNode> children;
    nodes.forEachChild(i, [&](uint32_t c) { children.push_back(nodes.node(c)); });
    std::vector<TSNode> expected = namedChildren(n);
    REQUIRE(children.size() == expected.size());
    for (size_t k = 0; k < children.size(); ++k)
      CHECK(same(children[k], expected[k]));
  }
  // Tree::parent is ts_node_parent for every node, named or not (tokens fall back to it).
  forEachVisible(tree.root(), [&](TSNode n) {
    CAPTURE(ts_node_type(n));
    CHECK(same(tree.parent(n), ts_node_parent(n)));
  });
}

} // namespace

TEST_CASE("nodes: every entry is the named node tree-sitter gives at its place") {
  for (const char *s : kSources)
    checkAgainstTree(s);
}

TEST_CASE("nodes: the same on random edits of valid code (trees with errors)") {
  std::string base = kSources[3];
  base += kSources[4];
  base += kSources[5];
  std::mt19937 rng(7);
  const std::string pieces[] = {"(", ")", ":", "\n", "    ", "'", "\"\"\"", "def ", "x", ",", "#", "[", "]", "\\\n"};
  for (int round = 0; round < 60; ++round) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) {
      size_t at = rng() % (s.size() + 1);
      s.insert(at, pieces[rng() % std::size(pieces)]);
    }
    checkAgainstTree(s);
  }
}

TEST_CASE("nodes: find refuses what is not one of its named nodes") {
  Tree tree = Tree::parse("x = f(1)\n");
  Tree other = Tree::parse("x = f(1)\n");
  const Nodes &nodes = tree.nodes();
  CHECK(nodes.find(TSNode{}) == Nodes::kNone);
  // `=` and `(` are anonymous tokens: not in the table.
  TSNode assignment = ts_node_named_child(ts_node_named_child(tree.root(), 0), 0);
  REQUIRE(is(assignment, "assignment"));
  TSNode equals = ts_node_child(assignment, 1);
  REQUIRE(!ts_node_is_named(equals));
  CHECK(nodes.find(equals) == Nodes::kNone);
  // The same place in another tree is another node.
  CHECK(nodes.find(ts_node_named_child(other.root(), 0)) == Nodes::kNone);
  CHECK(nodes.find(ts_node_named_child(tree.root(), 0)) == 1);
}

TEST_CASE("nodes: forEachNamed skips a subtree as py::forEachNamed does") {
  Tree tree = Tree::parse(kSources[3]);
  auto skipCalls = [](std::vector<std::string> &seen) {
    return [&seen](TSNode n) {
      seen.emplace_back(type(n));
      return !is(n, "call") && !is(n, "parameters");
    };
  };
  std::vector<std::string> byTable, byCursor;
  tree.nodes().forEachNamed(0, skipCalls(byTable));
  forEachNamed(tree.root(), skipCalls(byCursor));
  CHECK(byTable == byCursor);
  CHECK(std::find(byTable.begin(), byTable.end(), "default_parameter") == byTable.end()); // under the parameters
  CHECK(std::find(byTable.begin(), byTable.end(), "class_definition") != byTable.end());
}

TEST_CASE("nodes: a re-parsed tree has a table of its own") {
  std::string before = "x = 1\n", after = "x = f(1)\n";
  Tree tree = Tree::parse(before);
  CHECK(tree.nodes().size() == 5); // module, expression_statement, assignment, identifier, integer
  Tree edited = std::move(tree).reparse(after, {{4, 1, 4}});
  const Nodes &nodes = edited.nodes();
  REQUIRE(nodes.size() == namedInOrder(edited.root()).size());
  CHECK(is(nodes.node(4), "call"));
}
