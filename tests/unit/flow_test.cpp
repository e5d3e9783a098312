// Definite binding (python/flow.h): a name is bound at a point only when every path Python may take
// to it binds it; what is unbound on every path is No, the rest Maybe.
#include "python/flow.h"
#include "python/walk.h"

#include <doctest/doctest.h>

#include <string>

using namespace poolify::py;

namespace {

const char *name(Bound b) { return b == Bound::Yes ? "Yes" : b == Bound::No ? "No" : "Maybe"; }

// The scope node: the module, or the def / class named `scope`.
TSNode scopeNode(const Tree &tree, const std::string &scope) {
  if (scope.empty())
    return tree.root();
  TSNode found{};
  forEachNamed(tree.root(), [&](TSNode n) {
    if ((is(n, "function_definition") || is(n, "class_definition")) && tree.text(field(n, "name")) == scope &&
        ts_node_is_null(found))
      found = n;
    return true;
  });
  REQUIRE_MESSAGE(!ts_node_is_null(found), "no def or class " << scope);
  return found;
}

// Whether `what` is bound at the call `use()` (Yes/No/Maybe), in `scope`'s code.
std::string at(const std::string &src, const std::string &what, const std::string &scope = "") {
  Tree tree = Tree::parse(src);
  TSNode use{};
  forEachNamed(tree.root(), [&](TSNode n) {
    if (is(n, "call") && tree.text(n) == "use()" && ts_node_is_null(use))
      use = n;
    return true;
  });
  REQUIRE_MESSAGE(!ts_node_is_null(use), "no use() in " << src);
  size_t dot = what.find('.');
  Tracked t{what.substr(0, dot), dot == std::string::npos ? "" : what.substr(dot + 1)};
  return name(Flow(tree, scopeNode(tree, scope), t).at(use));
}

// Whether `what` is bound at every normal end of `scope`'s code.
std::string atEnd(const std::string &src, const std::string &what, const std::string &scope = "") {
  Tree tree = Tree::parse(src);
  auto exits = [&tree](TSNode call) { return tree.text(field(call, "function")) == "sys.exit"; };
  return name(Flow(tree, scopeNode(tree, scope), {what, ""}, exits).atEnd());
}

} // namespace

TEST_CASE("flow: straight-line code binds from the statement on, and del unbinds") {
  CHECK(at("X = 1\nuse()\n", "X") == "Yes");
  CHECK(at("use()\nX = 1\n", "X") == "No");
  CHECK(at("X = 1; use()\n", "X") == "Yes");
  CHECK(at("X = 1\ndel X\nuse()\n", "X") == "No");
  CHECK(at("X: int\nuse()\n", "X") == "No"); // an annotation alone binds nothing
  CHECK(at("X: int = 1\nuse()\n", "X") == "Yes");
  CHECK(at("A = X = 1\nuse()\n", "X") == "Yes");
  CHECK(at("X, (Y, *Z) = f()\nuse()\n", "Z") == "Yes");
  CHECK(at("from settings import X\nuse()\n", "X") == "Yes");
  CHECK(at("import settings.X\nuse()\n", "X") == "No");      // binds `settings`
  CHECK(at("from settings import *\nuse()\n", "X") == "No"); // not provable
  CHECK(atEnd("X = 1\nif c:\n    del X\n", "X") == "Maybe");
}

TEST_CASE("flow: if binds only when every branch does, or the others cannot complete") {
  CHECK(at("if c:\n    X = 1\nelse:\n    X = 2\nuse()\n", "X") == "Yes");
  CHECK(at("if c:\n    X = 1\nuse()\n", "X") == "Maybe");
  CHECK(at("if c:\n    X = 1\nelif d:\n    X = 2\nuse()\n", "X") == "Maybe");
  CHECK(at("if c:\n    X = 1\nelif d:\n    X = 2\nelse:\n    X = 3\nuse()\n", "X") == "Yes");
  CHECK(at("if __name__ == '__main__':\n    X = 1\nuse()\n", "X") == "Maybe");
  CHECK(at("def f(c):\n    if c:\n        x = 1\n    else:\n        return\n    use()\n", "x", "f") == "Yes");
  CHECK(at("def f(c):\n    if not c:\n        raise ValueError(c)\n    x = c\n    use()\n", "x", "f") == "Yes");
  CHECK(at("if c:\n    X = 1\n    use()\n", "X") == "Yes");
  CHECK(at("if (X := f()):\n    use()\n", "X") == "Yes");
}

TEST_CASE("flow: code under TYPE_CHECKING or if False never runs") {
  CHECK(at("if TYPE_CHECKING:\n    X = 1\nuse()\n", "X") == "No");
  CHECK(at("if typing.TYPE_CHECKING:\n    X = 1\nelse:\n    X = 2\nuse()\n", "X") == "Yes");
  CHECK(at("if False:\n    X = 1\nuse()\n", "X") == "No");
}

TEST_CASE("flow: try binds when the body and every handler that completes bind") {
  CHECK(at("try:\n    X = f()\nexcept KeyError:\n    X = 'd'\nuse()\n", "X") == "Yes");
  CHECK(at("try:\n    X = f()\nexcept KeyError:\n    raise\nuse()\n", "X") == "Yes");
  CHECK(at("try:\n    X = f()\nexcept KeyError:\n    pass\nuse()\n", "X") == "Maybe");
  CHECK(at("try:\n    X = f()\nexcept KeyError:\n    X = 1\nexcept ValueError:\n    log()\nuse()\n", "X") == "Maybe");
  CHECK(at("try:\n    f()\nexcept KeyError:\n    return_none()\nelse:\n    X = 1\nuse()\n", "X") == "Maybe");
  CHECK(at("try:\n    f()\nfinally:\n    X = 1\nuse()\n", "X") == "Yes");
  CHECK(at("try:\n    X = f()\nfinally:\n    g()\nuse()\n", "X") == "Yes");
  // A handler may start after any statement of the body.
  CHECK(at("X = 0\ntry:\n    del X\n    X = f()\nexcept E:\n    use()\n", "X") == "Maybe");
  CHECK(at("try:\n    X = f()\nexcept E:\n    use()\n", "X") == "Maybe");
  // `except E as X` unbinds X when the handler ends.
  CHECK(at("X = 1\ntry:\n    f()\nexcept E as X:\n    pass\nuse()\n", "X") == "Maybe");
  CHECK(at("try:\n    f()\nexcept E as X:\n    use()\n", "X") == "Yes");
  // A call that never returns ends its path (sys.exit, given as such here).
  CHECK(atEnd("try:\n    X = f()\nexcept KeyError:\n    sys.exit(1)\n", "X") == "Yes");
}

TEST_CASE("flow: loops and with bodies may not run, or stop half-way") {
  CHECK(at("for i in items:\n    X = i\nuse()\n", "X") == "Maybe");
  CHECK(at("for X in items:\n    use()\n", "X") == "Yes");
  CHECK(at("while c:\n    X = 1\nuse()\n", "X") == "Maybe");
  CHECK(at("while True:\n    X = f()\n    if X:\n        break\nuse()\n", "X") == "Yes");
  CHECK(at("while True:\n    if c:\n        break\n    X = 1\nuse()\n", "X") == "Maybe");
  CHECK(at("for i in items:\n    X = i\nelse:\n    X = None\nuse()\n", "X") == "Yes");
  CHECK(at("X = 1\nfor i in items:\n    use()\n    del X\n", "X") == "Maybe");
  CHECK(at("with open(p) as f:\n    X = f.read()\nuse()\n", "X") == "Maybe"); // the manager may swallow an error
  CHECK(at("with open(p) as X:\n    pass\nuse()\n", "X") == "Yes");
  CHECK(at("with lock:\n    X = 1\n    use()\n", "X") == "Yes");
}

TEST_CASE("flow: match binds through every case, or a case that always matches") {
  CHECK(at("match v:\n    case 1:\n        X = 1\n    case _:\n        X = 2\nuse()\n", "X") == "Yes");
  CHECK(at("match v:\n    case 1:\n        X = 1\n    case 2:\n        X = 2\nuse()\n", "X") == "Maybe");
  CHECK(at("match v:\n    case X:\n        use()\n", "X") == "Yes");
  CHECK(at("match v:\n    case [a, *X]:\n        use()\n", "X") == "Yes");
  CHECK(at("match v:\n    case Point(x=1) as X:\n        use()\n", "X") == "Yes");
  CHECK(at("match v:\n    case X:\n        pass\nuse()\n", "X") == "Yes"); // a capture always matches
}

TEST_CASE("flow: nested functions and classes are where their statement stands") {
  // A class body runs when the class statement runs: the state before it.
  CHECK(at("class C:\n    use()\nX = 1\n", "X") == "No");
  CHECK(at("X = 1\nclass C:\n    use()\n", "X") == "Yes");
  // Inside a def: the state when the def statement runs (its caller decides what that means).
  CHECK(at("def f():\n    use()\nX = 1\n", "X") == "No");
  CHECK(atEnd("def f():\n    use()\nX = 1\n", "X") == "Yes");
  // Bindings inside nested scopes are theirs, not this code's.
  CHECK(atEnd("def f():\n    X = 1\n", "X") == "No");
  CHECK(atEnd("class C:\n    X = 1\n", "X") == "No");
}

TEST_CASE("flow: a function's code starts with its parameters bound, and ends at every return") {
  CHECK(at("def f(x):\n    use()\n", "x", "f") == "Yes");
  CHECK(at("def f(*, x=1):\n    use()\n", "x", "f") == "Yes");
  CHECK(at("def f(**x):\n    use()\n", "x", "f") == "Yes");
  CHECK(atEnd("def f(c):\n    if c:\n        return\n    x = 1\n", "x", "f") == "Maybe");
  CHECK(atEnd("def f(c):\n    if c:\n        x = 2\n        return\n    x = 1\n", "x", "f") == "Yes");
  CHECK(atEnd("def f(c):\n    raise NotImplementedError\n", "x", "f") == "Yes"); // no normal end
}

TEST_CASE("flow: an attribute of a name is followed like a name") {
  std::string cls = "class C:\n    def __init__(self, cfg):\n";
  CHECK(at(cls + "        self.p = cfg.p\n        use()\n", "self.p", "__init__") == "Yes");
  CHECK(at(cls + "        if cfg:\n            self.p = cfg.p\n        use()\n", "self.p", "__init__") == "Maybe");
  CHECK(at(cls + "        if cfg:\n            self.p = 1\n        else:\n            self.p = 2\n        use()\n",
           "self.p", "__init__") == "Yes");
  CHECK(at(cls + "        self.p = 1\n        del self.p\n        use()\n", "self.p", "__init__") == "No");
  CHECK(at(cls + "        other.p = 1\n        use()\n", "self.p", "__init__") == "No");
}
