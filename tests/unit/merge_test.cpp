// manifest --merge joins the shards of one run: every shard K/N of one N, once, or the merge is not
// the run's manifest.
#include "output/manifest.h"

#include <doctest/doctest.h>

using poolify::output::shardsProblem;

TEST_CASE("all shards of one split merge; whole runs merge as before") {
  CHECK_FALSE(shardsProblem({{"a.json", "1/2"}, {"b.json", "2/2"}}));
  CHECK_FALSE(shardsProblem({{"b.json", "2/3"}, {"c.json", "3/3"}, {"a.json", "1/3"}}));
  CHECK_FALSE(shardsProblem({{"a.json", ""}, {"b.json", ""}}));
}

TEST_CASE("a missing shard is named") {
  auto why = shardsProblem({{"a.json", "1/2"}});
  REQUIRE(why);
  CHECK(*why == "poolify manifest --merge: shard 2/2 is missing: the merge would not be the run's manifest");
  why = shardsProblem({{"b.json", "2/4"}});
  REQUIRE(why);
  CHECK(why->find("shards 1/4, 3/4, 4/4 are missing") != std::string::npos);
}

TEST_CASE("a shard twice, another split or a whole run among shards is refused") {
  auto twice = shardsProblem({{"a.json", "1/2"}, {"b.json", "1/2"}});
  REQUIRE(twice);
  CHECK(*twice == "b.json: error: shard 1/2 is given twice (also a.json)");
  auto other = shardsProblem({{"a.json", "1/2"}, {"b.json", "2/3"}});
  REQUIRE(other);
  CHECK(other->find("b.json: error: shard 2/3 is of another split") == 0);
  auto whole = shardsProblem({{"a.json", "1/1"}, {"all.json", ""}});
  REQUIRE(whole);
  CHECK(whole->find("all.json: error: a whole run's manifest") == 0);
  CHECK(shardsProblem({{"a.json", "x"}}));
}
