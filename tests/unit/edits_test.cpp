// Edits are values; overlapping ones are a conflict, never a silent merge.
#include "analysis/decide.h"
#include "rewrite/edits.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

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

TEST_CASE("edits apply as if made one by one from the end, touching ones in the order added") {
  // Random disjoint edits of a text (insertions, deletions, replacements; some at one offset,
  // some touching): the one-pass application must give what applying each edit to the text,
  // last offset first, gives.
  std::mt19937 rng(11);
  const std::string text = "from google.cloud import bigquery\nclient = bigquery.Client(project=p)\nx = 1\n";
  for (int round = 0; round < 200; ++round) {
    CAPTURE(round);
    EditSet e;
    std::string expected = text;
    // Offsets chosen from the end backwards, so each edit lies before the ones already made.
    size_t limit = text.size();
    std::vector<std::tuple<size_t, size_t, std::string>> made;
    for (int k = 0; k < 6 && limit > 0; ++k) {
      size_t offset = rng() % (limit + 1);
      size_t length = rng() % 3 == 0 ? 0 : rng() % (limit - offset + 1);
      std::string with = rng() % 4 == 0 ? "" : "<" + std::to_string(k) + ">";
      if (length == 0 && with.empty())
        with = "+";
      made.emplace_back(offset, length, with);
      expected.replace(offset, length, with);
      limit = offset == 0 ? 0 : offset - 1; // strictly before: never touching the previous edit
    }
    for (auto it = made.rbegin(); it != made.rend(); ++it)
      e.replace(std::get<0>(*it), std::get<1>(*it), std::get<2>(*it));
    auto out = e.apply(text, "x.py");
    REQUIRE(out);
    CHECK(*out == expected);
  }
  // Two insertions at one offset and a replacement right after them: in the order added.
  EditSet e;
  e.insert(4, "A");
  e.insert(4, "B");
  e.replace(4, 2, "C");
  auto out = e.apply("0123456789", "x.py");
  REQUIRE(out);
  CHECK(*out == "0123ABC6789");
}
