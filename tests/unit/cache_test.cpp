// The cache's stat data: as git's index, a file whose size, times, inode and device are those
// recorded, and were not racy when recorded, is trusted unchanged without being read; anything else
// is read and hashed again. A run that changed nothing leaves the cache file as it was; one that
// changed a little appends to its log, read back in order, with nothing damaged or concurrent trusted.
#include "cache/cache.h"
#include "testing.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

// The outcome of a.py under `dir` (hash 9), with nothing else known of it yet.
model::FileOutcome outcomeIn(const testing::TempDir &dir) {
  model::FileOutcome o;
  o.file = {dir.path + "/a.py", "a.py"};
  o.hash = 9;
  return o;
}

// `o` stored in a cache under `dir` by one Cache, then looked up by another.
std::optional<model::FileOutcome> throughCache(const testing::TempDir &dir, const model::FileOutcome &o) {
  {
    cache::Cache cache(dir.path + "/cache", "stamp");
    cache.put(o);
    REQUIRE(cache.store());
  }
  cache::Cache cache(dir.path + "/cache", "stamp");
  return cache.lookup(o.file, o.hash);
}

TEST_CASE("class facts come back from the cache with every assignment, clients and packed writes alike") {
  testing::TempDir dir;
  model::FileOutcome o = outcomeIn(dir);
  model::ClassFacts c;
  c.name = "P";
  model::AttributeAssignment client;
  client.attr = "bq";
  client.source = model::AttributeAssignment::Source::Site;
  client.rule = "bigquery";
  client.keys = {"self:project"};
  client.order = 1;
  c.assignments.push_back(client);
  model::AttributeAssignment before, after;
  before.attr = after.attr = "bq";
  before.method = after.method = "__init__";
  before.order = 0;
  after.order = 2;
  after.start = 40;
  after.unconditional = true;
  c.writes.add(before);
  c.writes.add(after);
  model::AttributeAssignment project;
  project.attr = "project";
  project.valueKey = "param:project";
  project.order = 3;
  c.writes.add(project);
  o.facts.emplace();
  o.facts->classes.push_back(c);
  auto back = throughCache(dir, o);
  REQUIRE(back);
  REQUIRE(back->facts);
  REQUIRE(back->facts->classes.size() == 1);
  auto bq = back->facts->classes[0].assignmentsOf("bq");
  REQUIRE(bq.size() == 3);
  CHECK(bq[0].source == model::AttributeAssignment::Source::Other);
  CHECK(bq[1].rule == "bigquery");
  CHECK(bq[1].keys == std::vector<std::string>{"self:project"});
  CHECK(bq[2].start == 40);
  CHECK(bq[2].unconditional);
  auto p = back->facts->classes[0].assignmentsOf("project");
  REQUIRE(p.size() == 1);
  CHECK(p[0].valueKey == "param:project");
}

TEST_CASE("a module's reach facts come back from the cache: its imports in order, its import bindings by name") {
  testing::TempDir dir;
  model::FileOutcome o = outcomeIn(dir);
  o.reach.emplace();
  o.reach->parsed = true;
  o.reach->imported.add(0, "google.cloud.bigquery");
  o.reach->imported.add(2, "base");
  o.reach->imported.add(1, "");
  o.reach->moduleImports = model::ImportTable({{"bigquery", "google.cloud.bigquery"}, {"helper", "pkg.util.helper"}});
  o.reach->moduleNames = {"bigquery", "helper", "run"};
  auto back = throughCache(dir, o);
  REQUIRE(back);
  REQUIRE(back->reach);
  CHECK(back->reach->parsed);
  CHECK(back->reach->imported.entries() == o.reach->imported.entries());
  CHECK(back->reach->moduleImports.find("helper") == std::optional<std::string_view>("pkg.util.helper"));
  CHECK(back->reach->moduleImports.entries() == o.reach->moduleImports.entries());
  CHECK(back->reach->moduleNames == o.reach->moduleNames);
}

TEST_CASE("a class's __init__ facts come back from the cache; a class without __init__ comes back without") {
  testing::TempDir dir;
  model::FileOutcome o = outcomeIn(dir);
  o.facts.emplace();
  model::ClassFacts plain;
  plain.name = "Plain";
  plain.bases = {"=Base"};
  model::ClassFacts job;
  job.name = "Job";
  model::InitFacts &init = job.defineInit();
  init.params = {{"project", "", true}, {"table", "lit:'t'", false}};
  init.variadic = true;
  init.calls.push_back({"", 12, true, {{"#1", "project"}}, {"param:project"}, false});
  init.uses = {{"project", 30}};
  init.selfCalls = {"setup"};
  init.binds = {"project"};
  init.baseFirst = true;
  o.facts->classes = {plain, job};
  auto back = throughCache(dir, o);
  REQUIRE(back);
  REQUIRE(back->facts);
  REQUIRE(back->facts->classes.size() == 2);
  const model::ClassFacts &p = back->facts->classes[0], &j = back->facts->classes[1];
  CHECK_FALSE(p.hasInit());
  CHECK(p.init().calls.empty());
  CHECK(p.bases.strings() == std::vector<std::string>{"=Base"});
  REQUIRE(j.hasInit());
  REQUIRE(j.init().params.size() == 2);
  CHECK(j.init().params[1].name == "table");
  CHECK(j.init().params[1].defaultKey == "lit:'t'");
  CHECK_FALSE(j.init().params[1].positional);
  CHECK(j.init().variadic);
  REQUIRE(j.init().calls.size() == 1);
  CHECK(j.init().calls[0].start == 12);
  CHECK(j.init().calls[0].keys == std::vector<std::string>{"param:project"});
  CHECK(j.init().uses == std::vector<std::pair<std::string, uint32_t>>{{"project", 30}});
  CHECK(j.init().selfCalls == std::vector<std::string>{"setup"});
  CHECK(j.init().binds == std::vector<std::string>{"project"});
  CHECK(j.init().baseFirst);
}

TEST_CASE("copying class facts copies the __init__ facts, not a pointer to them") {
  model::ClassFacts a;
  a.defineInit().binds = {"project"};
  model::ClassFacts b = a;
  b.defineInit().binds.push_back("dataset");
  CHECK(a.init().binds == std::vector<std::string>{"project"});
  CHECK(b.init().binds.size() == 2);
  model::ClassFacts none;
  b = none;
  CHECK_FALSE(b.hasInit());
  CHECK(a.hasInit());
}

// Entries are checked when used, not all at load: a damaged entry is a miss (never trusted), and the
// others are used as they are; the next store writes the ones this run used, and its own.
TEST_CASE("a damaged entry is a miss; the cache's other entries are still used") {
  testing::TempDir dir;
  model::FileOutcome a = outcomeIn(dir), b = outcomeIn(dir);
  b.file = {dir.path + "/b.py", "b.py"};
  a.messages.push_back({3, 1, "a.py:3:1: note: from a", false});
  b.messages.push_back({4, 2, "b.py:4:2: note: from b", false});
  {
    cache::Cache cache(dir.path + "/cache", "stamp");
    cache.put(a);
    cache.put(b);
    REQUIRE(cache.store());
  }
  std::string bytes = dir.read("cache/poolify-cache.dat");
  size_t at = bytes.find("from a");
  REQUIRE(at != std::string::npos);
  bytes[at] = 'F'; // same length: only the checksum tells
  dir.write("cache/poolify-cache.dat", bytes);
  {
    cache::Cache cache(dir.path + "/cache", "stamp");
    CHECK_FALSE(cache.lookup(a.file, a.hash));
    auto hit = cache.lookup(b.file, b.hash);
    REQUIRE(hit);
    REQUIRE(hit->messages.size() == 1);
    CHECK(hit->messages[0].text == "b.py:4:2: note: from b");
    cache.put(a); // analyzed again
    REQUIRE(cache.store());
  }
  cache::Cache cache(dir.path + "/cache", "stamp");
  auto again = cache.lookup(a.file, a.hash);
  REQUIRE(again);
  CHECK(again->messages[0].text == "a.py:3:1: note: from a");
  CHECK(cache.lookup(b.file, b.hash));
}

} // namespace poolify

namespace poolify {
namespace {

// A tree of `n` files as one run of the cache saw them: each file's stat data (hash i + 1) and its
// outcome (a note naming it).
struct Tree {
  testing::TempDir dir;
  std::string cacheDir = dir.path + "/cache";
  std::vector<model::SourceFile> files;
  explicit Tree(size_t n) {
    for (size_t i = 0; i < n; ++i) {
      std::string name = "f" + std::to_string(i) + ".py";
      files.push_back({dir.path + "/" + name, name});
    }
  }
  cache::FileStat statOf(size_t i, uint64_t version = 0) const {
    cache::FileStat s = oldStat();
    s.inode = 100 + i;
    s.size = 1000 + version;
    return s;
  }
  model::FileOutcome outcome(size_t i, uint64_t version = 0) const {
    model::FileOutcome o;
    o.file = files[i];
    o.hash = (i + 1) * 1000 + version;
    o.messages.push_back({1, 1, fmt::format("{}:1:1: note: version {}", files[i].display(), version), false});
    return o;
  }
  // One run: every file seen, those in `changed` at their new version (analyzed and put).
  void run(const std::map<size_t, uint64_t> &changed, const std::string &stamp = "stamp") const {
    cache::Cache c(cacheDir, stamp);
    for (size_t i = 0; i < files.size(); ++i) {
      auto v = changed.find(i);
      uint64_t version = v == changed.end() ? 0 : v->second;
      model::FileOutcome o = outcome(i, version);
      c.noteStat(files[i], statOf(i, version), o.hash);
      if (v != changed.end() || !c.lookup(files[i], o.hash))
        c.put(o);
    }
    REQUIRE(c.store());
  }
  std::string dat() const { return cacheDir + "/poolify-cache.dat"; }
  std::string log() const { return cacheDir + "/poolify-cache.dat.log"; }
  bool hasLog() const { return ::access(log().c_str(), F_OK) == 0; }
};

// What a run finds for file i at `version`: the hash its stat data give (nullopt: it must be read)
// and whether the cache holds its outcome at that version.
std::pair<std::optional<uint64_t>, bool> seen(const Tree &t, size_t i, uint64_t version) {
  cache::Cache c(t.cacheDir, "stamp");
  auto hash = c.unchangedHash(t.files[i], t.statOf(i, version));
  model::FileOutcome want = t.outcome(i, version);
  auto hit = c.lookup(t.files[i], want.hash);
  return {hash, hit && hit->messages.size() == 1 && hit->messages[0].text == want.messages[0].text};
}

} // namespace

TEST_CASE("a run that changed a few files appends them to the log; the .dat stays, and the next run reads both") {
  Tree t(40);
  t.run({});
  ino_t before = inodeOf(t.dat());
  REQUIRE_FALSE(t.hasLog());
  t.run({{3, 1}});
  CHECK(inodeOf(t.dat()) == before);
  CHECK(t.hasLog());
  t.run({{3, 1}, {7, 1}}); // a second chunk, after the first
  CHECK(inodeOf(t.dat()) == before);
  auto three = seen(t, 3, 1), seven = seen(t, 7, 1), other = seen(t, 20, 0);
  CHECK(three.first == std::optional<uint64_t>(t.outcome(3, 1).hash));
  CHECK(three.second);
  CHECK(seven.first == std::optional<uint64_t>(t.outcome(7, 1).hash));
  CHECK(seven.second);
  CHECK(other.first == std::optional<uint64_t>(t.outcome(20, 0).hash));
  CHECK(other.second);
  // The old stat data of a changed file are no longer trusted.
  CHECK_FALSE(seen(t, 3, 0).first);
  // A run that changes nothing adds nothing.
  std::string log = t.dir.read("cache/poolify-cache.dat.log");
  t.run({{3, 1}, {7, 1}});
  CHECK(t.dir.read("cache/poolify-cache.dat.log") == log);
  CHECK(inodeOf(t.dat()) == before);
}

TEST_CASE("past a quarter of the .dat, the cache is written whole again, and the log goes") {
  Tree t(40);
  t.run({});
  ino_t before = inodeOf(t.dat());
  std::map<size_t, uint64_t> changed;
  size_t runs = 0;
  while (inodeOf(t.dat()) == before && runs < 40) {
    changed[runs] = 1;
    t.run(changed);
    ++runs;
  }
  REQUIRE(inodeOf(t.dat()) != before);
  CHECK(runs > 2); // the log was used before
  CHECK_FALSE(t.hasLog());
  for (size_t i = 0; i < t.files.size(); ++i) {
    auto s = seen(t, i, changed.count(i) ? 1 : 0);
    CHECK(s.first == std::optional<uint64_t>(t.outcome(i, changed.count(i) ? 1 : 0).hash));
    CHECK(s.second);
  }
}

TEST_CASE("a chunk appended beside another by a run at the same time keeps its entries, not its stat data") {
  Tree t(40);
  t.run({});
  {
    // Both runs read the same cache; the first to store is the next in the chain, the other is not.
    cache::Cache a(t.cacheDir, "stamp"), b(t.cacheDir, "stamp");
    for (auto [c, changed] : {std::pair<cache::Cache *, size_t>{&a, 3}, {&b, 5}}) {
      for (size_t i = 0; i < t.files.size(); ++i) {
        uint64_t version = i == changed ? 1 : 0;
        c->noteStat(t.files[i], t.statOf(i, version), t.outcome(i, version).hash);
        if (i == changed)
          c->put(t.outcome(i, 1));
        else
          REQUIRE(c->lookup(t.files[i], t.outcome(i, 0).hash));
      }
    }
    REQUIRE(a.store());
    REQUIRE(b.store());
  }
  auto three = seen(t, 3, 1), five = seen(t, 5, 1);
  CHECK(three.first == std::optional<uint64_t>(t.outcome(3, 1).hash));
  CHECK(three.second);
  CHECK_FALSE(five.first); // b's stat data were computed against a state without a's chunk
  CHECK(five.second);      // its entry is good whatever the chain: trusted by its hash
  // The next run records file 5 again, into the chain.
  t.run({{3, 1}, {5, 1}});
  CHECK(seen(t, 5, 1).first == std::optional<uint64_t>(t.outcome(5, 1).hash));
}

TEST_CASE("a damaged or cut-short chunk ends the log; a log of another .dat is not read") {
  Tree t(40);
  t.run({});
  t.run({{3, 1}});
  std::string first = t.dir.read("cache/poolify-cache.dat.log");
  t.run({{3, 1}, {5, 1}});
  std::string both = t.dir.read("cache/poolify-cache.dat.log");
  REQUIRE(both.size() > first.size());
  REQUIRE(both.compare(0, first.size(), first) == 0);
  std::string damaged = both;
  size_t at = damaged.find("version 1", first.size());
  REQUIRE(at != std::string::npos);
  damaged[at] = 'V';
  for (const std::string &log : {damaged, both.substr(0, both.size() - 5), both.substr(0, first.size() + 10)}) {
    t.dir.write("cache/poolify-cache.dat.log", log);
    auto three = seen(t, 3, 1), five = seen(t, 5, 1);
    CHECK(three.first == std::optional<uint64_t>(t.outcome(3, 1).hash));
    CHECK(three.second);
    CHECK_FALSE(five.first);
    CHECK_FALSE(five.second);
    CHECK(seen(t, 5, 0).first == std::optional<uint64_t>(t.outcome(5, 0).hash)); // as the .dat has it
  }
  // Nothing appended behind the damage would be read: the next run that changes something writes the
  // .dat whole, and the log goes.
  ino_t before = inodeOf(t.dat());
  t.run({{3, 1}, {5, 1}});
  CHECK(inodeOf(t.dat()) != before);
  CHECK_FALSE(t.hasLog());
  CHECK(seen(t, 5, 1).first == std::optional<uint64_t>(t.outcome(5, 1).hash));
  CHECK(seen(t, 5, 1).second);
  // A new .dat (another generation) under the old log: the log's chunks are another file's.
  t.dir.write("cache/poolify-cache.dat.log", both);
  std::string dat = t.dir.read("cache/poolify-cache.dat");
  std::filesystem::remove(t.dat());
  t.run({});
  REQUIRE_FALSE(t.hasLog());
  REQUIRE(t.dir.read("cache/poolify-cache.dat") != dat);
  t.dir.write("cache/poolify-cache.dat.log", both);
  CHECK_FALSE(seen(t, 3, 1).first);
  CHECK_FALSE(seen(t, 3, 1).second);
  CHECK(seen(t, 3, 0).second);
}

} // namespace poolify
