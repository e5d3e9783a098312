// The last run's results, whole (cache/results.h): taken back as they were written only by a run
// with the same key and the same files, each with the stat data recorded, none racy; anything
// else (another key, a changed, added, removed or racy file, a damaged byte) gives nothing back.
#include "cache/cache.h"
#include "cache/results.h"
#include "testing.h"

#include <doctest/doctest.h>

#include <sys/stat.h>

namespace poolify {
namespace {

cache::FileStat statAt(uint64_t inode, uint64_t ns) {
  cache::FileStat s;
  s.size = 100 + inode;
  s.mtimeNs = s.ctimeNs = ns;
  s.inode = inode;
  s.device = 3;
  return s;
}

uint64_t aMinuteAgo() { return cache::nowNs() - 60ull * 1000000000u; }

std::vector<model::SourceFile> twoFiles(const std::string &dir, uint64_t ns) {
  return {model::SourceFile(dir + "/pkg/a.py", "pkg/a.py", statAt(7, ns)),
          model::SourceFile(dir + "/pkg/b.py", "pkg/b.py", statAt(8, ns))};
}

std::vector<model::FileOutcome> outcomesOf(const std::vector<model::SourceFile> &files) {
  std::vector<model::FileOutcome> out(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    out[i].file = model::FileRef::view(files[i]);
    out[i].hash = 1000 + i;
    out[i].release();
  }
  model::SiteRecord r;
  r.line = 4;
  r.col = 9;
  r.rule = "bigquery-client";
  r.callable = "google.cloud.bigquery.Client";
  r.outcome = model::Outcome::Unsafe;
  r.reason = "held: a test patches it";
  out[0].records.push_back(r);
  out[0].messages.push_back({4, 9, "pkg/a.py:4:9: bigquery-client: held", false});
  out[1].mentionsClass = true;
  return out;
}

cache::RunFindings findings() {
  cache::RunFindings f;
  f.warnings = {"inheritance cycle: A -> B -> A"};
  f.holds[0][{4, 9}] = "tests/test_a.py:3:2 patches it";
  f.baseProvided[1] = {{12, 5}, {20, 1}};
  f.inherited.assign(2, {});
  model::Inherited x;
  x.cls = "Child";
  x.attr = "bq_client";
  x.rule = "bigquery-client";
  x.base = "pkg.a.Base";
  x.status = "unknown";
  x.reason = "the base's __init__ returns early";
  f.inherited[1].push_back(x);
  return f;
}

struct Recorded {
  testing::TempDir dir;
  std::string cacheDir = dir.path + "/cache";
  std::vector<model::SourceFile> files = twoFiles(dir.path, aMinuteAgo());
  Recorded() {
    cache::Results r(cacheDir, "poolify-results.dat", "key");
    REQUIRE(r.store(files, outcomesOf(files), findings(), 2));
  }
  // What a run with `key` over `now` gets back (nullopt: nothing).
  std::optional<std::pair<std::vector<model::FileOutcome>, cache::RunFindings>>
  restore(const std::vector<model::SourceFile> &now, const std::string &key = "key") const {
    cache::Results r(cacheDir, "poolify-results.dat", key);
    std::vector<model::FileOutcome> outcomes(1);
    cache::RunFindings f;
    f.warnings = {"untouched"};
    if (!r.restore(now, 2, outcomes, f)) {
      CHECK(outcomes.size() == 1); // left as they were
      CHECK(f.warnings == std::vector<std::string>{"untouched"});
      return std::nullopt;
    }
    return std::make_pair(std::move(outcomes), std::move(f));
  }
};

} // namespace

TEST_CASE("a run with the same key and files gets every outcome and finding back as written") {
  Recorded rec;
  auto back = rec.restore(rec.files);
  REQUIRE(back);
  auto &[outcomes, f] = *back;
  auto written = outcomesOf(rec.files);
  REQUIRE(outcomes.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(cache::serialize(outcomes[i]) == cache::serialize(written[i]));
    CHECK(outcomes[i].hash == written[i].hash);
    CHECK(&*outcomes[i].file == &rec.files[i]); // a view of the run's file list
  }
  CHECK(outcomes[0].records.at(0).reason == "held: a test patches it");
  CHECK(outcomes[1].mentionsClass);
  cache::RunFindings want = findings();
  CHECK(f.warnings == want.warnings);
  CHECK(f.holds == want.holds);
  CHECK(f.baseProvided == want.baseProvided);
  REQUIRE(f.inherited.size() == 2);
  CHECK(f.inherited[0].empty());
  REQUIRE(f.inherited[1].size() == 1);
  CHECK(f.inherited[1][0].base == "pkg.a.Base");
  CHECK(f.inherited[1][0].status == "unknown");
  CHECK(f.inherited[1][0].reason == "the base's __init__ returns early");
}

TEST_CASE("another key, or any change to the list of files or their stat data, gives nothing back") {
  Recorded rec;
  CHECK_FALSE(rec.restore(rec.files, "another key"));
  auto changed = [&](auto edit) {
    std::vector<model::SourceFile> now = rec.files;
    edit(now);
    return rec.restore(now).has_value();
  };
  CHECK_FALSE(changed([](auto &now) { now[1].listed->size += 1; }));
  CHECK_FALSE(changed([](auto &now) { now[1].listed->mtimeNs += 1; }));
  CHECK_FALSE(changed([](auto &now) { now[0].listed->ctimeNs += 1; })); // mtime put back: ctime tells
  CHECK_FALSE(changed([](auto &now) { now[0].listed->inode += 1; }));
  CHECK_FALSE(changed([](auto &now) { now[0].listed->device += 1; }));
  CHECK_FALSE(changed([](auto &now) { now[0].listed.reset(); }));
  CHECK_FALSE(changed([](auto &now) { now.pop_back(); }));
  CHECK_FALSE(changed([&](auto &now) { now.push_back(model::SourceFile("c.py", "c.py", statAt(9, aMinuteAgo()))); }));
  CHECK_FALSE(changed([&](auto &now) { now[1] = model::SourceFile("pkg/c.py", "pkg/c.py", *now[1].listed); }));
  CHECK(changed([](auto &) {}));
}

TEST_CASE("files changed just before the recording run started are racy: nothing is given back") {
  testing::TempDir dir;
  std::string cacheDir = dir.path + "/cache";
  std::vector<model::SourceFile> files = twoFiles(dir.path, aMinuteAgo());
  files[1].listed->mtimeNs = cache::nowNs(); // may change again within the same timestamp
  cache::Results r(cacheDir, "poolify-results.dat", "key");
  REQUIRE(r.store(files, outcomesOf(files), findings(), 1));
  std::vector<model::FileOutcome> outcomes;
  cache::RunFindings f;
  CHECK_FALSE(cache::Results(cacheDir, "poolify-results.dat", "key").restore(files, 1, outcomes, f));
}

// As git's index does: a file whose stat data changed, or were racy, is hashed again, and the results
// stand when its bytes are those the recording run analyzed (the outcomes' hashes: 1000 + i here).
TEST_CASE("with the bytes' hashes asked for, a file whose stat data alone changed leaves the results standing") {
  Recorded rec;
  std::vector<model::SourceFile> now = rec.files;
  now[1].listed->mtimeNs += 1;
  now[1].listed->ctimeNs += 1;
  std::vector<size_t> asked;
  auto hashes = [&](uint64_t second) {
    return [&asked, second](size_t i) -> std::optional<uint64_t> {
      asked.push_back(i);
      return i == 0 ? 1000 : second;
    };
  };
  cache::Results r(rec.cacheDir, "poolify-results.dat", "key");
  std::vector<model::FileOutcome> outcomes;
  cache::RunFindings f;
  std::vector<std::pair<size_t, uint64_t>> rehashed;
  REQUIRE(r.restore(now, 2, outcomes, f, hashes(1001), &rehashed));
  CHECK(asked == std::vector<size_t>{1}); // the file with the same stat data is not read
  CHECK(rehashed == std::vector<std::pair<size_t, uint64_t>>{{1, 1001}});
  CHECK(outcomes.size() == 2);
  CHECK(f.warnings == findings().warnings);

  // Other bytes, or none (unreadable): nothing is given back; the hash asked is still told.
  asked.clear();
  rehashed.clear();
  outcomes.clear();
  CHECK_FALSE(r.restore(now, 2, outcomes, f, hashes(77), &rehashed));
  CHECK(outcomes.empty());
  CHECK(rehashed == std::vector<std::pair<size_t, uint64_t>>{{1, 77}});
  rehashed.clear();
  CHECK_FALSE(r.restore(
      now, 2, outcomes, f, [](size_t) { return std::optional<uint64_t>(); }, &rehashed));
  CHECK(rehashed.empty());

  // A file the recording run found racy is hashed again too, though its stat data are the same.
  testing::TempDir dir;
  std::vector<model::SourceFile> racy = twoFiles(dir.path, aMinuteAgo());
  racy[0].listed->mtimeNs = cache::nowNs();
  cache::Results recorded(dir.path + "/cache", "poolify-results.dat", "key");
  REQUIRE(recorded.store(racy, outcomesOf(racy), findings(), 1));
  asked.clear();
  CHECK(cache::Results(dir.path + "/cache", "poolify-results.dat", "key").restore(racy, 1, outcomes, f, hashes(1001)));
  CHECK(asked == std::vector<size_t>{0});

  // A changed list of files is not saved by any hash.
  now.pop_back();
  CHECK_FALSE(r.restore(now, 2, outcomes, f, hashes(1001)));
}

TEST_CASE("a damaged or cut results file gives nothing back") {
  Recorded rec;
  std::string bytes = rec.dir.read("cache/poolify-results.dat");
  REQUIRE(rec.restore(rec.files));
  for (const char *mark : {"held: a test patches it", "pkg.a.Base", "pkg/b.py"}) {
    std::string damaged = bytes;
    size_t at = damaged.find(mark);
    REQUIRE(at != std::string::npos);
    damaged[at + 1] ^= 0x20;
    rec.dir.write("cache/poolify-results.dat", damaged);
    CHECK_FALSE(rec.restore(rec.files));
  }
  rec.dir.write("cache/poolify-results.dat", bytes.substr(0, bytes.size() - 3));
  CHECK_FALSE(rec.restore(rec.files));
  rec.dir.write("cache/poolify-results.dat", bytes + "7 ");
  CHECK_FALSE(rec.restore(rec.files));
  rec.dir.write("cache/poolify-results.dat", bytes);
  CHECK(rec.restore(rec.files));
}

TEST_CASE("a run with a file the results cannot keep removes the last run's") {
  Recorded rec;
  std::vector<model::FileOutcome> outcomes = outcomesOf(rec.files);
  outcomes[1].utf8 = false; // the cache keeps UTF-8 only
  CHECK(cache::Results(rec.cacheDir, "poolify-results.dat", "key").store(rec.files, outcomes, findings(), 1));
  struct stat st;
  CHECK(::stat((rec.cacheDir + "/poolify-results.dat").c_str(), &st) != 0);
  CHECK_FALSE(rec.restore(rec.files));
}

TEST_CASE("results are not read from, nor written through, a cache folder that is a symbolic link") {
  Recorded rec;
  std::string link = rec.dir.path + "/linked";
  REQUIRE(::symlink(rec.cacheDir.c_str(), link.c_str()) == 0);
  std::vector<model::FileOutcome> outcomes;
  cache::RunFindings f;
  CHECK_FALSE(cache::Results(link, "poolify-results.dat", "key").restore(rec.files, 1, outcomes, f));
  CHECK(cache::Results(link, "poolify-results.dat", "other").store(rec.files, outcomesOf(rec.files), findings(), 1));
  CHECK(rec.restore(rec.files)); // the results behind the link are those written through the real folder
}

} // namespace poolify
