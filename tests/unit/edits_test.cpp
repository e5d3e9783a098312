// Edits are values; overlapping ones are a conflict, never a silent merge.
#include "analysis/decide.h"
#include "rewrite/edits.h"

#include <doctest/doctest.h>

using namespace poolify::rewrite;

TEST_CASE("an insertion at the end of a deletion joins it") {
  EditSet e;
  e.replace(0, 4, "");
  e.insert(4, "new\n");
  auto out = e.apply("old\nrest\n", "x.py");
  REQUIRE(out);
  CHECK(*out == "new\nrest\n");
}

TEST_CASE("overlapping edits are reported") {
  EditSet e;
  e.replace(0, 5, "a");
  e.replace(3, 4, "b");
  auto out = e.apply("0123456789", "x.py");
  CHECK_FALSE(out);
  llvm::consumeError(out.takeError());
}

TEST_CASE("the pool's own module is recognised from its path") {
  CHECK(poolify::analysis::isModuleFile("repo/shared/clients/bigquery_pool.py", "shared.clients.bigquery_pool"));
  CHECK(poolify::analysis::isModuleFile("shared/clients/bigquery_pool/__init__.py", "shared.clients.bigquery_pool"));
  CHECK_FALSE(
      poolify::analysis::isModuleFile("repo/myshared/clients/bigquery_pool.py", "shared.clients.bigquery_pool"));
  CHECK_FALSE(poolify::analysis::isModuleFile("shared/clients/bigquery_pool_test.py", "shared.clients.bigquery_pool"));
}
