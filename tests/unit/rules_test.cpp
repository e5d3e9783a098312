// A bad rule file stops the run with file:line:col and what is wrong.
#include "rules/embedded.h"
#include "rules/rule.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace poolify::rules;
constexpr auto npos = std::string::npos;

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
  auto e =
      errorFor("id: x\ntriggers: [x]\nrewrites:\n  - match: [not a name]\n    replace: {module: m, function: f}\n");
  CHECK(e.find(":4:13: error: match 'not a name' is not a dotted Python name") == 0);
}

TEST_CASE("infer entries must name their kind") {
  auto e = errorFor("id: x\ntriggers: [x]\nrewrites:\n  - match: [a.B]\n    replace: {module: m, function: f}\n"
                    "    arguments:\n      - from: project\n        infer: [PROJECT_ID]\n");
  CHECK(e.find(":8:17: error: infer entry 'PROJECT_ID' must be") == 0);
}

TEST_CASE("when_none is default or leave, and the shipped storage rule leaves project=None") {
  auto e = errorFor("id: x\ntriggers: [x]\nrewrites:\n  - match: [a.B]\n    replace: {module: m, function: f}\n"
                    "    arguments:\n      - from: project\n        when_none: omit\n");
  CHECK(e.find(":8:20: error: when_none must be 'default' or 'leave', not 'omit'") == 0);
  auto shipped = poolify::rules::loadRules({std::string(poolify::rules::kEmbeddedDir)});
  REQUIRE(shipped);
  for (const auto &r : *shipped)
    for (const auto &rw : r.rewrites)
      for (const auto &am : rw.arguments)
        if (am.from == "project") // a storage client with no project is not the default one; BigQuery's is
          CHECK_MESSAGE(am.noneIsDefault == (r.id != "storage"), r.id);
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

namespace {
// A rule whose replace/argument parts are given; everything else valid.
std::string ruleWith(const std::string &replace, const std::string &argument = "from: project") {
  return "id: x\ntriggers: [x]\nrewrites:\n  - match: [a.B]\n    replace: {" + replace +
         "}\n    arguments:\n      - {" + argument + "}\n";
}
} // namespace

TEST_CASE("every name the rewrite prints must be one Python accepts") {
  // Each of these passed validation, and `migrate --apply` then wrote e.g. `from shared.pool import class`.
  CHECK(errorFor(ruleWith("module: shared.pool, function: class")) ==
        ":5:46: error: function 'class' is a Python keyword, which Python does not accept as a name");
  CHECK(errorFor(ruleWith("module: shared.pool, function: None")).find("function 'None' is a Python keyword") != npos);
  CHECK(errorFor(ruleWith("module: shared.import.x, function: f")) ==
        ":5:23: error: module 'shared.import.x' is not a dotted Python name (like google.cloud.bigquery.Client): it "
        "has a part 'import' that is a Python keyword, which Python does not accept as a name");
  CHECK(errorFor(ruleWith("module: shared..pool, function: f")).find("has an empty part") != npos);
  CHECK(errorFor(ruleWith("module: shared.pool., function: f")).find("has an empty part") != npos);
  CHECK(errorFor(ruleWith("module: m, function: f, attribute: nonlocal"))
            .find("attribute 'nonlocal' is a Python keyword") != npos);
  CHECK(errorFor(ruleWith("module: m, function: __debug__")).find("function '__debug__' is __debug__") != npos);
  CHECK(errorFor(ruleWith("module: m, function: f", "from: project, to: __debug__"))
            .find(":7:29: error: to '__debug__' is __debug__") == 0);
  CHECK(errorFor(ruleWith("module: m, function: f", "from: project, to: lambda"))
            .find("to 'lambda' is a Python keyword") != npos);
  CHECK(errorFor(ruleWith("module: m, function: f", "from: class")).find("from 'class' is a Python keyword") != npos);
  CHECK(errorFor(ruleWith("module: m, function: f", "from: project, infer: [global None]"))
            .find("the name in infer entry 'None' is a Python keyword") != npos);
  // Soft keywords are names.
  CHECK(errorFor(ruleWith("module: match.case, function: type, attribute: _", "from: match, to: case")) == "");
}

TEST_CASE("empty triggers, bad pooled names and duplicate keys are refused") {
  CHECK(errorFor("id: x\ntriggers: [\"\"]\nrewrites: []\n").find(":2:12: error: triggers '' is empty") == 0);
  CHECK(errorFor("id: x\ntriggers: [x]\npooled: [a..b]\nrewrites: []\n").find(":3:10: error: pooled 'a..b'") == 0);
  CHECK(errorFor("id: x\ntriggers: [x]\nid: y\nrewrites: []\n") == ":3:1: error: duplicate key 'id' (first at line 1)");
  CHECK(errorFor(ruleWith("module: m, function: f, function: g")) ==
        ":5:39: error: duplicate key 'function' (first at line 5)");
  CHECK(errorFor(ruleWith("module: m, function: f", "from: a, from: b")).find("duplicate key 'from'") != npos);
}

TEST_CASE("a file that is not a rule file is neither read nor echoed") {
  std::string path = "/tmp/poolify_rule_notarule_" + std::to_string(::getpid());
  std::ofstream(path) << "root:$6$secret:19000:0:99999:7:::\n";
  auto r = loadRuleFile(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(r);
  std::string msg = llvm::toString(r.takeError());
  CHECK(msg.find("not a rule file") != npos);
  CHECK(msg.find("root:") == npos);
}

TEST_CASE("the pool package moves the modules under shared.clients, and only those") {
  Rule r;
  r.description = "BigQuery clients come from the shared pool (shared.clients.bigquery_pool); not "
                  "myshared.clients.x";
  Rewrite rw;
  rw.replace = {"shared.clients.bigquery_pool", "get_bigquery_client", ""};
  Rewrite other;
  other.replace = {"shared.clientsextra.pool", "get", ""};
  r.rewrites = {rw, other};
  r.pooled = {"shared.clients.bigquery_pool.get_bigquery_client", "vendor.pool.get"};
  movePoolPackage(r, kShippedPoolPackage, "acme.platform.clients");
  CHECK(r.rewrites[0].replace.module == "acme.platform.clients.bigquery_pool");
  CHECK(r.rewrites[1].replace.module == "shared.clientsextra.pool"); // another package, not a sub-package
  CHECK(r.pooled ==
        std::vector<std::string>{"acme.platform.clients.bigquery_pool.get_bigquery_client", "vendor.pool.get"});
  CHECK(r.description == "BigQuery clients come from the shared pool (acme.platform.clients.bigquery_pool); not "
                         "myshared.clients.x");
}
