// Test patches that keep intercepting (pipeline/intercept.h): when one patch of a pooled callable
// can stand for a patch that reached rewritten calls, and which sites a run holds back otherwise.
#include "pipeline/intercept.h"

#include <doctest/doctest.h>

using namespace poolify;
using pipeline::ReachedSite;

namespace {

model::SiteRecord site(unsigned line, model::Outcome outcome, const std::string &pooled) {
  model::SiteRecord r;
  r.line = line;
  r.col = 5;
  r.rule = "bigquery";
  r.callable = "google.cloud.bigquery.Client";
  r.callee = "bigquery.Client";
  r.outcome = outcome;
  r.pooled = pooled;
  return r;
}

const std::vector<model::SourceFile> kFiles = {
    {"pkg/a.py", "pkg/a.py"}, {"pkg/b.py", "pkg/b.py"}, {"tests/test_a.py", "tests/test_a.py"}};

} // namespace

TEST_CASE("one module whose calls are all rewritten: one patch of its pooled callable stands for the patch") {
  auto r = site(6, model::Outcome::Rewritten, "get_bigquery_client");
  CHECK(pipeline::retargetProblem({{0, &r}}, {}, kFiles, 0, false, nullptr) == "");
  // Named through another module (the base class's module makes the client): a string target follows it.
  CHECK(pipeline::retargetProblem({{0, &r}}, {}, kFiles, 1, false, nullptr) == "");
  // The library itself: the same.
  CHECK(pipeline::retargetProblem({{0, &r}}, {}, kFiles, SIZE_MAX, false, nullptr) == "");
}

TEST_CASE("rewritten calls in two modules cannot be replaced by one patch") {
  auto a = site(6, model::Outcome::Rewritten, "get_bigquery_client");
  auto b = site(9, model::Outcome::Rewritten, "get_bigquery_client");
  CHECK(pipeline::retargetProblem({{0, &a}, {1, &b}}, {}, kFiles, 0, false, nullptr) ==
        "it reaches rewritten calls in pkg/a.py and pkg/b.py, which one patch cannot replace");
}

TEST_CASE("a direct call the patch still intercepts keeps the patch on the library") {
  auto a = site(6, model::Outcome::Rewritten, "get_bigquery_client");
  auto kept = site(11, model::Outcome::Left, "");
  CHECK(pipeline::retargetProblem({{0, &a}}, {{0, &kept}}, kFiles, 0, false, nullptr) ==
        "it also intercepts pkg/a.py:11, which keeps its direct call");
}

TEST_CASE("a pooled call that is not a module attribute cannot be patched by name") {
  auto put = site(8, model::Outcome::Rewritten, "get_http_session().put");
  CHECK(pipeline::retargetProblem({{0, &put}}, {}, kFiles, 0, false, nullptr) ==
        "the pooled call get_http_session().put(...) is not an attribute of pkg/a.py a patch can replace");
}

TEST_CASE("an import inside a function is not an attribute of the module") {
  auto a = site(6, model::Outcome::Rewritten, "get_bigquery_client");
  auto binds = [](size_t, const std::string &) { return false; };
  CHECK(pipeline::retargetProblem({{0, &a}}, {}, kFiles, 0, false, binds) ==
        "pkg/a.py imports get_bigquery_client inside a function, so it is not an attribute of the module");
}

TEST_CASE("patch.object of another module's object, and removed overrides, are not retargeted") {
  auto a = site(6, model::Outcome::Rewritten, "get_bigquery_client");
  CHECK(pipeline::retargetProblem({{0, &a}}, {}, kFiles, 1, true, nullptr) ==
        "the rewritten call is in pkg/a.py, not in the module the patched object comes from");
  auto removed = site(7, model::Outcome::Removed, "");
  CHECK(pipeline::retargetProblem({{0, &removed}}, {}, kFiles, 0, false, nullptr) ==
        "pkg/a.py:7 is removed as a redundant override: there is no pooled call to patch");
}
