// A bad rule file stops the run with file:line:col and what is wrong.
#include "rules/rule.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace poolify::rules;

namespace {
std::string errorFor(const std::string &yaml) {
  std::string path = "/tmp/poolify_rule_test_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << yaml;
  auto r = loadRuleFile(path);
  std::remove(path.c_str());
  if (r)
    return "";
  std::string msg = llvm::toString(r.takeError());
  return msg.substr(msg.find(".yaml") + 5);
}
} // namespace

TEST_CASE("unknown keys are named with their position") {
  CHECK(errorFor("id: x\ntriggers: [x]\nrewrites: []\ncolour: red\n") ==
        ":4:1: error: unknown key 'colour' (expected id, description, triggers, pooled, rewrites, template, examples)");
}

TEST_CASE("YAML syntax errors carry the parser's position") {
  auto e = errorFor("id: x\ntriggers: [x\n");
  CHECK(e.rfind(":", 0) == 0);
  CHECK(e.find("error:") != std::string::npos);
}

TEST_CASE("a match that is not a dotted name is refused") {
  auto e = errorFor("id: x\ntriggers: [x]\nrewrites:\n  - match: [not a name]\n    replace: {module: m, function: f}\n");
  CHECK(e.find(":4:13: error: match 'not a name' is not a dotted Python name") == 0);
}

TEST_CASE("infer entries must name their kind") {
  auto e = errorFor("id: x\ntriggers: [x]\nrewrites:\n  - match: [a.B]\n    replace: {module: m, function: f}\n"
                    "    arguments:\n      - from: project\n        infer: [PROJECT_ID]\n");
  CHECK(e.find(":8:17: error: infer entry 'PROJECT_ID' must be") == 0);
}

TEST_CASE("a complete rule loads") {
  std::string path = "/tmp/poolify_rule_ok_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << "id: acme\ntriggers: [acme]\nrewrites:\n  - match: [acme.Client]\n"
                         "    replace: {module: pools.acme_pool, function: get_acme}\n    arguments: pass\n";
  auto r = loadRuleFile(path);
  std::remove(path.c_str());
  REQUIRE(r);
  CHECK(r->id == "acme");
  CHECK(r->rewrites.at(0).passThrough);
  CHECK(r->pooled == std::vector<std::string>{"pools.acme_pool.get_acme"});
}
