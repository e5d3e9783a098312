// A pool module's module-level functions, and whether a pooled call binds to one as Python binds
// arguments: what poolify reads before it points a rewrite at the tree's own pool.
#include "python/signatures.h"
#include "rules/embedded.h"
#include "rules/rule.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace poolify;
using py::CallShape;
using K = py::ModuleBinding::Kind;

namespace {

// The bind problem of calling NAME of `module` with `call`; "ok" when it binds, "unknown" when the
// signature is not known, "missing" when the module does not bind NAME.
std::string bind(const std::string &module, const std::string &name, const CallShape &call) {
  py::ModuleFunctions m = py::readModuleFunctions(module);
  auto it = m.names.find(name);
  if (it == m.names.end())
    return m.open ? "unknown" : "missing";
  if (it->second.kind != K::Function)
    return "unknown";
  auto problem = py::bindProblem(it->second.parameters, call);
  return problem ? *problem : "ok";
}

} // namespace

TEST_CASE("arguments bind by parameter kind, as Python binds them") {
  const std::string m = "def get(url, /, params=None, *, timeout=30, **kwargs):\n    pass\n";
  CHECK(bind(m, "get", {1, {}}) == "ok");
  CHECK(bind(m, "get", {2, {"timeout", "headers"}}) == "ok");
  CHECK(bind(m, "get", {3, {}}) == "takes from 1 to 2 positional arguments but 3 were given");
  CHECK(bind(m, "get", {0, {"url"}}) == "missing 1 required positional argument: 'url'"); // url=u lands in **kwargs
  CHECK(bind(m, "get", {2, {"params"}}) == "got multiple values for argument 'params'");

  const std::string strict = "def f(a, b, /, c, *, d, e=1):\n    pass\n";
  CHECK(bind(strict, "f", {0, {"a"}}) == "got some positional-only arguments passed as keyword arguments: 'a'");
  CHECK(bind(strict, "f", {3, {"x"}}) == "got an unexpected keyword argument 'x'");
  CHECK(bind(strict, "f", {1, {"d"}}) == "missing 2 required positional arguments: 'b' and 'c'");
  CHECK(bind(strict, "f", {3, {}}) == "missing 1 required keyword-only argument: 'd'");
  CHECK(bind(strict, "f", {3, {"d", "e"}}) == "ok");
  CHECK(bind("def g(*args, **kw):\n    pass\n", "g", {9, {"anything"}}) == "ok");
  CHECK(bind("def h(project_id: str = None, *rest: int, database: str):\n    pass\n", "h", {3, {"database"}}) == "ok");
  CHECK(bind("def one(url):\n    pass\n", "one", {2, {}}) == "takes 1 positional argument but 2 were given");
}

TEST_CASE("only an unconditional def, bound once, has a signature; a name bound any other way is taken at its word") {
  const std::string m = "import functools\n"
                        "from impl import get\n"
                        "from . import helpers as h\n"
                        "try:\n    from fast import post\nexcept ImportError:\n    def post(url):\n        pass\n"
                        "def twice(a):\n    pass\n"
                        "def twice(a, b):\n    pass\n"
                        "@functools.lru_cache(maxsize=None)\ndef cached(project_id=None):\n    pass\n"
                        "@trace\ndef traced(x):\n    pass\n"
                        "class Pool:\n    def get_x(self):\n        pass\n"
                        "(a, b), c = 1, 2, 3\n"
                        "if True:\n    x = 1\n"
                        "def rebound():\n    global late\n    late = 1\n"
                        "async def coro():\n    pass\n";
  py::ModuleFunctions f = py::readModuleFunctions(m);
  CHECK_FALSE(f.open);
  for (const char *name : {"functools", "get", "h", "post", "twice", "traced", "Pool", "a", "b", "c", "x", "late"}) {
    REQUIRE_MESSAGE(f.names.count(name), name);
    CHECK_MESSAGE(f.names.at(name).kind == K::Other, name);
  }
  CHECK_FALSE(f.names.count("get_x")); // a method, not a module-level name
  CHECK_FALSE(f.names.count("helpers"));
  REQUIRE(f.names.count("cached"));
  CHECK(f.names.at("cached").kind == K::Function); // lru_cache takes the function's arguments
  CHECK(f.names.at("cached").text == "(project_id=None)");
  CHECK(f.names.at("cached").line == 14);
  CHECK(f.names.at("coro").async);
  CHECK_FALSE(f.names.at("rebound").async);
  CHECK(bind(m, "nowhere", {}) == "missing");
}

TEST_CASE("a module that may bind names the text does not show never says a name is missing") {
  for (const char *m :
       {"from impl import *\n", "def __getattr__(name):\n    pass\n", "globals()['get'] = print\n", "def get(url:\n"}) {
    py::ModuleFunctions f = py::readModuleFunctions(m);
    CHECK_MESSAGE(f.open, m);
  }
}

TEST_CASE("every shipped rule's pooled call binds to its own template's pool function") {
  auto rules = rules::loadRules({std::string(rules::kEmbeddedDir)});
  REQUIRE(rules);
  for (const auto &rule : *rules) {
    REQUIRE_MESSAGE(!rule.templatePath.empty(), rule.id);
    std::string file = rule.templatePath.substr(rule.templatePath.rfind('/') + 1);
    auto text = rules::embeddedTemplate(file);
    REQUIRE_MESSAGE(text, file);
    py::ModuleFunctions f = py::readModuleFunctions(*text);
    for (const auto &rw : rule.rewrites) {
      const std::string &fn = rw.replace.function;
      REQUIRE_MESSAGE(f.names.count(fn), rule.id << ": " << fn);
      const py::ModuleBinding &b = f.names.at(fn);
      REQUIRE_MESSAGE(b.kind == K::Function, fn);
      CHECK_FALSE(b.async);
      CallShape call;
      if (!rw.replace.attribute.empty()) {
        // get_http_session().put(...): the pool's function is called with nothing
      } else if (rw.passThrough) {
        // requests.get(url, params) and requests.post(url, data, json) pass these positionally
        call.positional = fn == "post" ? 3 : fn == "get" ? 2 : 1;
        call.keywords = {"timeout", "headers"};
      } else {
        std::set<std::string> keywords;
        for (const auto &am : rw.arguments)
          keywords.insert(am.to);
        call.keywords.assign(keywords.begin(), keywords.end());
      }
      auto problem = py::bindProblem(b.parameters, call);
      CHECK_MESSAGE(!problem, rule.id << ": " << fn << ": " << problem.value_or(""));
    }
  }
}
