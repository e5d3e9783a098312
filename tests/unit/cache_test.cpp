// The cache's stat data: as git's index, a file whose size, times, inode and device are those
// recorded, and were not racy when recorded, is trusted unchanged without being read; anything else
// is read and hashed again. A run that changed nothing leaves the cache file as it was.
#include "cache/cache.h"
#include "testing.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <time.h>

namespace poolify {
namespace {

uint64_t nowNs() {
  struct timespec t;
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

cache::FileStat oldStat() {
  cache::FileStat s;
  s.size = 120;
  static const uint64_t aMinuteAgo = nowNs() - 60ull * 1000000000u; // not racy
  s.mtimeNs = s.ctimeNs = aMinuteAgo;
  s.inode = 7;
  s.device = 3;
  return s;
}

struct Stored {
  testing::TempDir dir;
  model::SourceFile file{dir.path + "/a.py", "a.py"};
  std::string cacheDir = dir.path + "/cache";
  Stored(const cache::FileStat &st, uint64_t hash) {
    cache::Cache c(cacheDir, "stamp");
    c.noteStat(file, st, hash);
    REQUIRE(c.store());
  }
};

ino_t inodeOf(const std::string &path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

} // namespace

TEST_CASE("stat data recorded before, and old enough, give the recorded hash without a read") {
  Stored s(oldStat(), 42);
  cache::Cache c(s.cacheDir, "stamp");
  CHECK(c.unchangedHash(s.file, oldStat()) == std::optional<uint64_t>(42));
}

TEST_CASE("any changed stat field means the file is read again") {
  Stored s(oldStat(), 42);
  cache::Cache c(s.cacheDir, "stamp");
  auto changed = [](auto edit) {
    cache::FileStat st = oldStat();
    edit(st);
    return st;
  };
  CHECK_FALSE(c.unchangedHash(s.file, changed([](cache::FileStat &st) { st.size += 1; })));
  CHECK_FALSE(c.unchangedHash(s.file, changed([](cache::FileStat &st) { st.mtimeNs += 1; })));
  // mtime restored (touch -r, rsync -t, a checkout): ctime still tells.
  CHECK_FALSE(c.unchangedHash(s.file, changed([](cache::FileStat &st) { st.ctimeNs += 1; })));
  CHECK_FALSE(c.unchangedHash(s.file, changed([](cache::FileStat &st) { st.inode += 1; })));
  CHECK_FALSE(c.unchangedHash(s.file, changed([](cache::FileStat &st) { st.device += 1; })));
  CHECK_FALSE(c.unchangedHash(model::SourceFile{s.dir.path + "/b.py", "b.py"}, oldStat()));
}

TEST_CASE("a file changed just before the recording run started is racy: hashed again") {
  cache::FileStat fresh = oldStat();
  fresh.mtimeNs = nowNs(); // may change again within the same timestamp
  Stored s(fresh, 42);
  cache::Cache c(s.cacheDir, "stamp");
  CHECK_FALSE(c.unchangedHash(s.file, fresh));
  cache::FileStat freshCtime = oldStat();
  freshCtime.ctimeNs = nowNs();
  Stored t(freshCtime, 42);
  cache::Cache d(t.cacheDir, "stamp");
  CHECK_FALSE(d.unchangedHash(t.file, freshCtime));
}

TEST_CASE("stat data from another poolify or rules are not trusted") {
  Stored s(oldStat(), 42);
  cache::Cache c(s.cacheDir, "another stamp");
  CHECK_FALSE(c.unchangedHash(s.file, oldStat()));
}

TEST_CASE("a damaged stat section is ignored whole") {
  Stored s(oldStat(), 42);
  std::string file = s.cacheDir + "/poolify-cache.dat";
  std::string bytes = s.dir.read("cache/poolify-cache.dat");
  size_t at = bytes.find("a.py");
  REQUIRE(at != std::string::npos);
  bytes[at] = 'b';
  s.dir.write("cache/poolify-cache.dat", bytes);
  cache::Cache c(s.cacheDir, "stamp");
  CHECK_FALSE(c.unchangedHash(s.file, oldStat()));
  CHECK_FALSE(c.unchangedHash(model::SourceFile{s.dir.path + "/b.py", "b.py"}, oldStat()));
}

TEST_CASE("a run that changed nothing does not rewrite the cache file") {
  Stored s(oldStat(), 42);
  std::string file = s.cacheDir + "/poolify-cache.dat";
  ino_t before = inodeOf(file);
  {
    cache::Cache c(s.cacheDir, "stamp");
    REQUIRE(c.unchangedHash(s.file, oldStat()));
    c.noteStat(s.file, oldStat(), 42);
    REQUIRE(c.store());
  }
  CHECK(inodeOf(file) == before); // replaced atomically it would have a new inode
  {
    cache::Cache c(s.cacheDir, "stamp");
    c.noteStat(s.file, oldStat(), 43); // the bytes changed
    REQUIRE(c.store());
  }
  CHECK(inodeOf(file) != before);
  cache::Cache c(s.cacheDir, "stamp");
  CHECK(c.unchangedHash(s.file, oldStat()) == std::optional<uint64_t>(43));
}

} // namespace poolify
