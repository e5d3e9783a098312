// Name resolution follows Python's scoping, so a rewrite never touches a shadowed name.
#include "python/scopes.h"

#include <doctest/doctest.h>

using namespace poolify::py;

namespace {
// The qualified name of the first call whose callee text is `callee`.
std::optional<std::string> qualifiedCallee(const std::string &src, std::string_view callee, int nth = 0) {
  Tree tree = Tree::parse(src);
  ScopeModel model(tree);
  for (const auto &ref : model.references()) {
    TSNode n = ref.node;
    while (is(ts_node_parent(n), "attribute") && same(field(ts_node_parent(n), "object"), n))
      n = ts_node_parent(n);
    if (tree.text(n) == callee && is(ts_node_parent(n), "call") && nth-- == 0)
      return model.qualify(n, ref.scope);
  }
  FAIL("callee not found");
  return std::nullopt;
}
} // namespace

TEST_CASE("from-import aliases resolve to the imported module") {
  CHECK(qualifiedCallee("from google.cloud import bigquery as bq\nbq.Client()\n", "bq.Client") ==
        "google.cloud.bigquery.Client");
  CHECK(qualifiedCallee("import google.cloud.bigquery\ngoogle.cloud.bigquery.Client()\n",
                        "google.cloud.bigquery.Client") == "google.cloud.bigquery.Client");
  CHECK(qualifiedCallee("from google.cloud.bigquery import Client as C\nC()\n", "C") == "google.cloud.bigquery.Client");
}

TEST_CASE("a parameter named like the module shadows the import") {
  std::string src = "import requests\n\ndef f(requests):\n    return requests.get(1)\n";
  CHECK_FALSE(qualifiedCallee(src, "requests.get").has_value());
}

TEST_CASE("a local assigned anywhere in the function shadows the import in the whole function") {
  std::string src = "import requests\n\ndef f():\n    x = requests.get(1)\n    requests = {}\n";
  CHECK_FALSE(qualifiedCallee(src, "requests.get").has_value());
}

TEST_CASE("class attributes are not visible from methods") {
  std::string src =
      "import requests\n\nclass C:\n    requests = None\n\n    def m(self):\n        return requests.get(1)\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

TEST_CASE("an import fallback to None does not hide the import") {
  std::string src =
      "try:\n    import requests\nexcept ImportError:\n    requests = None\n\ndef f():\n    requests.get(1)\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

TEST_CASE("a global declaration binds at module level") {
  std::string src =
      "requests = None\n\ndef setup():\n    global requests\n    import requests\n\ndef f():\n    requests.get(1)\n";
  // Module scope holds both `= None` and the import made through `global`: it resolves to the import.
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

TEST_CASE("comprehension targets shadow inside the comprehension only") {
  std::string src = "import requests\n[requests.get(1) for requests in range(3)]\nrequests.get(2)\n";
  CHECK_FALSE(qualifiedCallee(src, "requests.get", 0).has_value());
  CHECK(qualifiedCallee(src, "requests.get", 1) == "requests.get");
}

TEST_CASE("parameter defaults are evaluated in the enclosing scope") {
  std::string src = "import requests\n\ndef f(requests=requests.get(1)):\n    pass\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

namespace {
// "kind@scope" of every binding of `name`, in the order the model holds them.
std::string bindingsOf(const std::string &src, const std::string &name) {
  Tree tree = Tree::parse(src);
  ScopeModel model(tree);
  std::string out;
  for (const auto &b : model.bindings()) {
    if (b.name != name)
      continue;
    static const char *const kinds[] = {"import", "param", "assign", "none", "def", "del", "other"};
    out += (out.empty() ? "" : " ") + std::string(kinds[static_cast<int>(b.kind)]) + "@" + std::to_string(b.scope);
    if (b.remote())
      out += "(from " + std::to_string(b.textualScope) + ")";
    if (!ts_node_is_null(b.deadUnder))
      out += "(dead)";
  }
  return out;
}
} // namespace

TEST_CASE("del unbinds and reads the name: a deletion binding and a reference") {
  std::string src = "import requests\nrequests.get(1)\ndel requests\n";
  CHECK(bindingsOf(src, "requests") == "import@0 del@0");
  Tree tree = Tree::parse(src);
  ScopeModel model(tree);
  int refs = 0;
  for (const auto &r : model.references())
    refs += r.name == "requests";
  CHECK(refs == 2);
  // A deletion does not change what the name is where it is bound.
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
  // `del` in a function makes the name local there.
  CHECK(bindingsOf("import requests\n\ndef f():\n    del requests\n", "requests") == "import@0 del@1");
}

TEST_CASE("an import under if TYPE_CHECKING binds nothing at run time") {
  CHECK(bindingsOf("if TYPE_CHECKING:\n    import requests\n", "requests") == "import@0(dead)");
  CHECK(bindingsOf("if typing.TYPE_CHECKING:\n    import requests\nelse:\n    import requests\n", "requests") ==
        "import@0(dead) import@0");
  CHECK(bindingsOf("if False:\n    import requests\n", "requests") == "import@0(dead)");
  CHECK(bindingsOf("if not TYPE_CHECKING:\n    import requests\n", "requests") == "import@0");
  // The anchor a rewrite would place its import beside is one that runs.
  Tree tree = Tree::parse("if TYPE_CHECKING:\n    import requests\ntry:\n    import requests\nexcept ImportError:\n"
                          "    requests = None\nrequests.get(1)\n");
  ScopeModel model(tree);
  const Binding *anchor = nullptr;
  CHECK(model.importTarget("requests", 0, &anchor) == "requests");
  REQUIRE(anchor != nullptr);
  CHECK(ts_node_is_null(anchor->deadUnder));
}

TEST_CASE("global and nonlocal send a binding to the scope that owns the name") {
  CHECK(bindingsOf("def setup():\n    global requests\n    import requests\n", "requests") == "import@0(from 1)");
  // nonlocal: the enclosing function's name, even when its own binding comes later in the text.
  std::string src = "def outer():\n    def load():\n        nonlocal requests\n        requests = fake()\n"
                    "    import requests\n    load()\n    return requests.get(1)\n";
  CHECK(bindingsOf(src, "requests") == "import@1 assign@1(from 2)");
  CHECK_FALSE(qualifiedCallee(src, "requests.get").has_value());
}

TEST_CASE("match patterns bind their captures and look up their values") {
  CHECK(bindingsOf("match cmd:\n    case requests:\n        pass\n", "requests") == "other@0");
  CHECK(bindingsOf("match cmd:\n    case [a, *requests]:\n        pass\n", "requests") == "other@0");
  CHECK(bindingsOf("match cmd:\n    case {'k': 1, **requests}:\n        pass\n", "requests") == "other@0");
  CHECK(bindingsOf("match cmd:\n    case Point(x=0) as requests:\n        pass\n", "requests") == "other@0");
  CHECK(bindingsOf("match cmd:\n    case Point(x=requests):\n        pass\n", "requests") == "other@0");
  CHECK(bindingsOf("match cmd:\n    case Point(requests=0):\n        pass\n", "requests") == ""); // an attribute name
  // A capture rebinds the import: the name is not the module any more.
  std::string src = "import requests\nmatch cmd:\n    case requests:\n        pass\nrequests.get(1)\n";
  CHECK_FALSE(qualifiedCallee(src, "requests.get").has_value());
  // `case requests.codes.ok:` looks `requests` up.
  Tree tree = Tree::parse("import requests\nmatch status:\n    case requests.codes.ok:\n        pass\n");
  ScopeModel model(tree);
  int refs = 0;
  for (const auto &r : model.references())
    refs += r.name == "requests";
  CHECK(refs == 1);
}

TEST_CASE("a comprehension's first iterable is evaluated in the enclosing scope") {
  std::string src = "import requests\nx = [requests for requests in requests.get(1).json()]\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
  // Later iterables and conditions are the comprehension's own.
  src = "import requests\nx = [r for requests in range(3) for r in requests.get(1)]\n";
  CHECK_FALSE(qualifiedCallee(src, "requests.get").has_value());
}

TEST_CASE("a class-body import is a class attribute: methods do not see it") {
  std::string src =
      "class C:\n    import requests\n    r = requests.get(1)\n\n    def m(self):\n        return requests.get(2)\n";
  CHECK(qualifiedCallee(src, "requests.get", 0) == "requests.get");
  CHECK_FALSE(qualifiedCallee(src, "requests.get", 1).has_value());
}

// The walk keeps one pending child per node (python/scopes.cpp, pushChildren): a node of many
// children is walked in document order, each child once, with nested nodes finished before the next
// sibling, and statements of a block each their own statement (the local in `g` is not the module's).
TEST_CASE("a node of many children is walked in order, each child once") {
  std::string src = "import requests\nDATA = [";
  constexpr int kElements = 20000;
  for (int i = 0; i < kElements; ++i)
    src += (i % 2 ? "[v" : "(v") + std::to_string(i) + (i % 2 ? "], " : ", w), ");
  src += "]\ndef g():\n    requests = 1\n    return requests\nrequests.get(1)\n";
  Tree tree = Tree::parse(src);
  REQUIRE_FALSE(tree.firstError());
  ScopeModel model(tree);
  std::vector<std::string_view> names;
  for (const auto &ref : model.references())
    names.push_back(ref.name);
  REQUIRE(names.size() >= kElements + kElements / 2);
  size_t k = 0;
  for (int i = 0; i < kElements; ++i) {
    std::string v = "v" + std::to_string(i);
    REQUIRE(names[k++] == v);
    if (i % 2 == 0)
      REQUIRE(names[k++] == "w");
  }
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}
