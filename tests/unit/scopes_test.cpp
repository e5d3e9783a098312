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
  std::string src = "import requests\n\nclass C:\n    requests = None\n\n    def m(self):\n        return requests.get(1)\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

TEST_CASE("an import fallback to None does not hide the import") {
  std::string src = "try:\n    import requests\nexcept ImportError:\n    requests = None\n\ndef f():\n    requests.get(1)\n";
  CHECK(qualifiedCallee(src, "requests.get") == "requests.get");
}

TEST_CASE("a global declaration binds at module level") {
  std::string src = "requests = None\n\ndef setup():\n    global requests\n    import requests\n\ndef f():\n    requests.get(1)\n";
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
