#include "cache/cache.h"

#include "cache/codec.h"

#include "source/file_io.h"
#include "source/git.h"
#include "source/output_file.h"
#include "source/posix.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <mutex>
#include <random>
#include <sys/stat.h>
#include <type_traits>
#include <unistd.h>

namespace poolify::cache {

using model::AttributeAssignment;
using model::SiteRecord;

namespace {

std::mutex putMutex;
using codec::Reader;
using codec::Writer;
// The largest value of model::Outcome (an entry with a larger one is not read).
constexpr int kLastOutcome = static_cast<int>(model::Outcome::Unsafe);

template <typename A> void pairs(A &a, std::vector<std::pair<std::string, std::string>> &v) {
  a.list(v, [&](auto &p) {
    a.io(p.first);
    a.io(p.second);
  });
}

// An import table, as its (name, target) pairs.
template <typename A> void importTable(A &a, model::ImportTable &t) {
  std::vector<std::pair<std::string, std::string>> entries;
  if constexpr (!A::reading)
    entries = t.entries();
  pairs(a, entries);
  if constexpr (A::reading) {
    // As written: sorted, unique, and no separator inside (else the entry is not trusted).
    for (size_t i = 0; i < entries.size(); ++i)
      a.ok = a.ok && (i == 0 || entries[i - 1].first < entries[i].first) &&
             entries[i].first.find_first_of("\t\n") == std::string::npos &&
             entries[i].second.find_first_of("\t\n") == std::string::npos;
    t = model::ImportTable(entries);
  }
}

template <typename A> void factsFields(A &a, model::FileFacts &f) {
  a.list(f.classes, [&](model::ClassFacts &c) {
    a.io(c.name);
    std::vector<std::string> bases = A::reading ? std::vector<std::string>{} : c.bases.strings();
    a.list(bases, [&](std::string &b) { a.io(b); });
    if constexpr (A::reading)
      c.bases = model::NameList(bases);
    bool hasInit = c.hasInit();
    a.io(hasInit);
    if (hasInit) {
      model::InitFacts &init = c.defineInit();
      a.list(init.params, [&](model::InitParameter &p) {
        a.io(p.name);
        a.io(p.defaultKey);
        a.io(p.positional);
      });
      a.io(init.variadic);
      a.list(init.calls, [&](model::BaseInitCall &k) {
        a.io(k.base);
        a.io(k.start);
        a.io(k.unconditional);
        pairs(a, k.args);
        a.list(k.keys, [&](std::string &x) { a.io(x); });
        a.io(k.unpacking);
      });
      a.list(init.uses, [&](std::pair<std::string, uint32_t> &u) {
        a.io(u.first);
        a.io(u.second);
      });
      a.list(init.selfCalls, [&](std::string &m) { a.io(m); });
      a.list(init.binds, [&](std::string &m) { a.io(m); });
      a.io(init.baseFirst);
    }
    a.list(c.assignments, [&](model::AttributeAssignment &x) {
      a.io(x.attr);
      a.choice(x.source, 2);
      a.io(x.rule);
      a.io(x.pooled);
      pairs(a, x.args);
      pairs(a, x.inferred);
      a.list(x.keys, [&](std::string &k) { a.io(k); });
      a.list(x.required, [&](std::string &k) { a.io(k); });
      a.choice(x.outcome, kLastOutcome);
      a.io(x.siteOffset);
      a.io(x.start);
      a.io(x.end);
      a.io(x.line);
      a.io(x.col);
      a.choice(x.where, 2);
      a.io(x.method);
      a.io(x.unconditional);
      a.io(x.valueKey);
      a.io(x.order);
    });
    std::string writes;
    if constexpr (!A::reading)
      writes = std::string(c.writes.data());
    a.io(writes);
    if constexpr (A::reading)
      a.ok = a.ok && c.writes.assign(std::move(writes));
  });
  importTable(a, f.imports);
}

template <typename A> void reachFields(A &a, model::ReachFacts &r) {
  std::vector<std::pair<uint32_t, std::string>> imported;
  if constexpr (!A::reading)
    imported = r.imported.entries();
  a.list(imported, [&](std::pair<uint32_t, std::string> &p) {
    a.io(p.first);
    a.io(p.second);
  });
  if constexpr (A::reading) {
    for (const auto &p : imported) // as written: no separator inside (else the entry is not trusted)
      a.ok = a.ok && p.second.find_first_of("\t\n") == std::string::npos;
    r.imported = model::ImportedModules(imported);
  }
  importTable(a, r.moduleImports);
  a.io(r.parsed);
  a.list(r.moduleNames, [&](std::string &m) { a.io(m); });
}

template <typename A> void recordFields(A &a, model::SiteRecord &r) {
  a.choice(r.kind, 4);
  a.io(r.line);
  a.io(r.col);
  a.io(r.rule);
  a.io(r.callable);
  a.choice(r.outcome, kLastOutcome);
  a.io(r.reason);
  a.io(r.code);
  a.io(r.callee);
  a.io(r.ignore);
  a.io(r.pooled);
  a.io(r.inferred);
  a.io(r.removal);
  a.io(r.hookClass);
  a.io(r.hookAttr);
  a.io(r.atImport);
  a.list(r.holders, [&](model::Holder &h) {
    a.io(h.name);
    a.io(h.attribute);
  });
}

template <typename A> void fields(A &a, model::FileOutcome &o) {
  a.list(o.messages, [&](model::Message &m) {
    a.io(m.line);
    a.io(m.col);
    a.io(m.text);
    a.io(m.error);
    a.io(m.rule);
    a.io(m.reason);
  });
  a.io(o.rewritten);
  a.io(o.left);
  a.io(o.removed);
  a.list(o.poolModules, [&](std::string &m) { a.io(m); });
  a.list(o.records, [&](model::SiteRecord &r) { recordFields(a, r); });
  a.list(o.mocks, [&](model::MockCandidate &m) {
    a.io(m.line);
    a.io(m.col);
    a.io(m.target);
    a.io(m.object);
    a.io(m.offset);
    a.io(m.constant);
  });
  a.list(o.patches, [&](model::PatchChange &p) {
    a.io(p.line);
    a.io(p.col);
    a.io(p.rule);
    a.io(p.before);
    a.io(p.after);
    a.io(p.modulePath);
    a.io(p.handFix);
  });
  a.list(o.removedImports, [&](model::RemovedImport &r) {
    a.io(r.name);
    a.io(r.rule);
    a.io(r.line);
    a.io(r.col);
  });
  a.io(o.failed);
  bool hasFacts = o.facts.has_value();
  a.io(hasFacts);
  if (A::reading && hasFacts)
    o.facts.emplace();
  if (hasFacts)
    factsFields(a, *o.facts);
  a.list(o.edits, [&](model::Edit &e) {
    a.io(e.offset);
    a.io(e.length);
    a.io(e.text);
  });
  a.io(o.mentionsClass);
  bool hasReach = o.reach.has_value();
  a.io(hasReach);
  if (A::reading && hasReach)
    o.reach.emplace();
  if (hasReach)
    reachFields(a, *o.reach);
  a.list(o.configures, [&](model::ConfigUse &u) {
    a.io(u.holder);
    a.io(u.attr);
    a.io(u.line);
    a.io(u.dotted);
  });
  a.io(o.mayStar);
}

// The entry of a file with nothing in it for any rule (most files): nothing to read back.
constexpr std::string_view kTrivial = "-", kTrivialClass = "-class";

} // namespace

std::string serialize(const model::FileOutcome &o) {
  if (o.trivial())
    return std::string(o.mentionsClass ? kTrivialClass : kTrivial);
  std::string out;
  Writer w{out};
  fields(w, const_cast<model::FileOutcome &>(o)); // the writer only reads
  return out;
}

std::optional<model::FileOutcome> deserialize(std::string_view text, model::FileRef file, uint64_t hash) {
  // The texts are not in the cache: the outcome comes back released (pipeline::texts reads them).
  model::FileOutcome out;
  out.file = std::move(file);
  out.hash = hash;
  out.release();
  if (text == kTrivial || text == kTrivialClass) {
    out.mentionsClass = text == kTrivialClass;
    return out;
  }
  Reader r{text};
  fields(r, out);
  if (!r.ok || r.pos != text.size())
    return std::nullopt;
  return out;
}

std::optional<FileStat> statOf(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  return source::statData(st);
}

uint64_t nowNs() {
  struct timespec t;
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

bool racy(const FileStat &st, uint64_t startNs) {
  return st.mtimeNs + kRacyNs >= startNs || st.ctimeNs + kRacyNs >= startNs;
}

namespace {
constexpr const char *kDatName = "poolify-cache.dat";
constexpr const char *kLogName = "poolify-cache.dat.log"; // what later runs added to it

// A generation that no other .dat had: the time, the process and a random device's bits (never 0).
uint64_t newGeneration() {
  uint64_t g = nowNs() ^ (static_cast<uint64_t>(::getpid()) << 40);
  try {
    std::random_device rd;
    g ^= (static_cast<uint64_t>(rd()) << 32) | rd();
  } catch (...) { // no random device: the time and the process
  }
  return g ? g : 1;
}

// One entry as the .dat and the log hold it: key, hash, checksum, size, then its bytes.
void writeEntry(std::string &out, const std::string &key, uint64_t hash, uint64_t check, std::string_view entry) {
  Writer w{out};
  w.io(const_cast<std::string &>(key)); // the writer only reads
  w.num(hash);
  w.num(check);
  w.num(entry.size());
  out.append(entry.data(), entry.size());
}

// The next entry of `r`; its bytes stay where `r` reads (a view). False when it does not hold together.
bool readEntry(Reader &r, std::string &key, uint64_t &hash, uint64_t &check, std::string_view &entry) {
  r.io(key);
  r.io(hash);
  r.io(check);
  uint64_t size = r.num();
  r.ok = r.ok && size <= r.in.size() - r.pos;
  if (r.ok) {
    entry = r.in.substr(r.pos, size);
    r.pos += size;
  }
  return r.ok;
}

template <typename A> void statFields(A &a, std::string &key, FileStat &s, uint64_t &hash) {
  a.io(key);
  a.io(s.size);
  a.io(s.mtimeNs);
  a.io(s.ctimeNs);
  a.io(s.inode);
  a.io(s.device);
  a.io(hash);
}

} // namespace

// The cache folder must be a real folder: a symbolic link there (committed as `.poolify-cache`, or
// put at .git/poolify-cache) would make a read-only `check` write wherever it points. Says why not.
std::optional<std::string> notARealFolder(const std::string &dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0)
    return std::nullopt; // created when the cache is stored
  if (S_ISLNK(st.st_mode)) {
    llvm::SmallString<256> real;
    std::string to = llvm::sys::fs::real_path(dir, real) ? std::string("nowhere") : std::string(real);
    return fmt::format("the cache folder {} is a symbolic link (to {})", dir, to);
  }
  if (!S_ISDIR(st.st_mode))
    return fmt::format("the cache folder {} is {}", dir, source::fileKind(st.st_mode));
  return std::nullopt;
}

namespace {
// The checksum of one entry: of its key, a newline and its bytes (one buffer per thread, reused).
uint64_t entryCheck(std::string_view key, std::string_view entry) {
  thread_local std::string joined;
  joined.assign(key.data(), key.size());
  joined += '\n';
  joined.append(entry.data(), entry.size());
  return contentHash(joined);
}

// A cache folder poolify made (or its own .poolify-cache/) holds a .gitignore of "*", as pytest's and
// ruff's do, so that `git add .` outside .git/ never commits the cache. An existing one is kept; a
// folder the user named and poolify did not make is left alone (it may hold files of theirs).
void ignoreInGit(int dirFd) {
  source::Fd fd(::openat(dirFd, ".gitignore", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd)
    return; // there already, or not writable: the cache works without it
  static const char kText[] = "# Created by poolify: its cache is not for version control.\n*\n";
  [[maybe_unused]] ssize_t written = ::write(fd.get(), kText, sizeof kText - 1); // best effort
}

} // namespace

Cache::Cache(const std::string &dir, std::string stamp) : stamp_(std::move(stamp)), startNs_(nowNs()) {
  if (dir.empty())
    return; // no usable place (defaultCacheDir said why): lookups miss, nothing is stored
  if (auto why = notARealFolder(dir)) {
    llvm::errs() << "poolify: warning: " << *why << "; the cache is not used (name a real folder with --cache)\n";
    return;
  }
  dir_ = dir;
  llvm::SmallString<256> f(dir);
  llvm::sys::path::append(f, kDatName);
  file_ = std::string(f);
  auto buf = source::readFile(file_); // a regular file only, never blocking
  if (!buf) {
    llvm::consumeError(buf.takeError());
    return;
  }
  buffer_ = std::move(*buf);
  load(buffer_);
  if (!generation_)
    return;
  llvm::sys::path::remove_filename(f);
  llvm::sys::path::append(f, kLogName);
  auto log = source::readFile(std::string(f));
  if (!log) {
    llvm::consumeError(log.takeError()); // none yet (or unreadable): the .dat alone
    return;
  }
  logBuffer_ = std::move(*log);
  loadLog(logBuffer_);
}

void Cache::load(std::string_view text) {
  // The stamp line; when the run that wrote it started; the stat section and its checksum; then
  // (key, hash, checksum, entry) to the end. Anything else: ignore it all.
  if (text.substr(0, stamp_.size() + 1) != stamp_ + "\n")
    return;
  Reader r{text, stamp_.size() + 1};
  std::string stats;
  uint64_t statsCheck = 0;
  r.io(generation_);
  r.io(loadedStartNs_);
  r.io(stats);
  r.io(statsCheck);
  r.ok = r.ok && statsCheck == contentHash(stats);
  for (Reader s{stats}; r.ok && s.ok && s.pos < stats.size();) {
    std::string key;
    FileStat st;
    uint64_t hash = 0;
    statFields(s, key, st, hash);
    if (s.ok)
      statsLoaded_[std::move(key)] = {st, hash, false};
    r.ok = s.ok;
  }
  while (r.ok && r.pos < text.size()) {
    std::string key;
    uint64_t hash = 0, check = 0;
    std::string_view entry; // its bytes stay in the buffer
    if (!readEntry(r, key, hash, check, entry))
      break;
    // Every entry carries its own checksum, checked when the entry is used (most of a large cache
    // is not, by a run that changed little): a damaged entry is never used.
    loaded_[std::move(key)] = {hash, check, entry, false};
  }
  if (!r.ok) {
    loaded_.clear();
    statsLoaded_.clear();
    loadedStartNs_ = 0;
    generation_ = 0;
  }
}

void Cache::loadLog(std::string_view text) {
  // Chunks: (generation, size, checksum of the payload, payload), back to back. A chunk of another
  // generation is skipped; the first that is cut short or fails its checksum ends the log.
  Reader r{text};
  while (r.ok && r.pos < text.size()) {
    uint64_t generation = r.num(), size = r.num(), check = r.num();
    if (!r.ok || size > text.size() - r.pos) {
      logDamaged_ = true;
      return;
    }
    std::string_view payload = text.substr(r.pos, size);
    r.pos += size;
    if (generation != generation_)
      continue;
    if (contentHash(payload) != check || !applyChunk(payload)) {
      logDamaged_ = true;
      return;
    }
  }
}

bool Cache::applyChunk(std::string_view payload) {
  // Its parent (the chain's length its run had read), when its run started, the stat data it set and
  // those it dropped, then its entries (key, hash, checksum, entry) to the end. Read whole first.
  Reader r{payload};
  uint64_t parent = r.num(), start = r.num();
  std::vector<std::pair<std::string, LoadedStat>> set;
  for (uint64_t i = 0, n = r.num(); r.ok && i < n; ++i) {
    std::string key;
    FileStat st;
    uint64_t hash = 0;
    statFields(r, key, st, hash);
    set.emplace_back(std::move(key), LoadedStat{st, hash, false});
  }
  std::vector<std::string> dropped;
  for (uint64_t i = 0, n = r.num(); r.ok && i < n; ++i)
    r.io(dropped.emplace_back());
  std::vector<std::pair<std::string, Loaded>> entries;
  while (r.ok && r.pos < payload.size()) {
    std::string key;
    uint64_t hash = 0, check = 0;
    std::string_view entry;
    if (readEntry(r, key, hash, check, entry))
      entries.emplace_back(std::move(key), Loaded{hash, check, entry, false});
  }
  if (!r.ok)
    return false;
  for (auto &[key, entry] : entries)
    loaded_.insert_or_assign(std::move(key), entry);
  // Stat data are only as good as the state they were computed against: a chunk appended beside
  // another (two runs at once) keeps its entries, not its stat data.
  if (parent != chain_)
    return true;
  for (auto &[key, st] : set)
    statsLoaded_.insert_or_assign(std::move(key), st);
  for (const auto &key : dropped)
    statsLoaded_.erase(key);
  loadedStartNs_ = start;
  ++chain_;
  return true;
}

std::optional<model::FileOutcome> Cache::lookup(const model::SourceFile &file, uint64_t hash,
                                                const std::string &variant) {
  std::string key = variant.empty() ? file.display() : file.display() + "\n" + variant;
  auto it = loaded_.find(key);
  if (it == loaded_.end() || it->second.hash != hash || entryCheck(key, it->second.bytes) != it->second.check)
    return std::nullopt;
  auto out = deserialize(it->second.bytes, file, hash);
  if (out) {
    // Kept for the next run as it is (store() writes what this run saw, nothing stale).
    std::lock_guard<std::mutex> lock(putMutex);
    // A file's own outcome; not a replan's, nor the facts the reduce step keeps ("reach", "bound").
    hits_ += variant.rfind("remove", 0) != 0 && variant.rfind("reach", 0) != 0 && variant.rfind("bound", 0) != 0;
    it->second.used = true;
  }
  return out;
}

void Cache::put(const model::FileOutcome &o, const std::string &variant) {
  // UTF-8 text only: a file in another encoding is not cached (it is analyzed again next time).
  if (!o.utf8)
    return;
  std::string entry = serialize(o);
  std::string key = variant.empty() ? o.file->display() : o.file->display() + "\n" + variant;
  std::lock_guard<std::mutex> lock(putMutex);
  fresh_[key] = {o.hash, std::move(entry)};
}

std::optional<uint64_t> Cache::unchangedHash(const model::SourceFile &file, const FileStat &st) const {
  auto it = statsLoaded_.find(file.display());
  if (it == statsLoaded_.end() || !(it->second.stat == st))
    return std::nullopt;
  // Racy: changed so shortly before that run started that a later change may keep the same times.
  if (racy(st, loadedStartNs_))
    return std::nullopt;
  return it->second.hash;
}

void Cache::noteStat(const model::SourceFile &file, const FileStat &st, uint64_t hash) {
  std::lock_guard<std::mutex> lock(putMutex);
  auto it = statsLoaded_.find(file.display());
  if (it != statsLoaded_.end() && it->second.stat == st && it->second.hash == hash) {
    it->second.used = true; // as recorded: no copy
    statsFresh_.erase(file.display());
    return;
  }
  if (it != statsLoaded_.end())
    it->second.used = false;
  statsFresh_[file.display()] = {st, hash};
}

std::string Cache::statSection() const {
  // Stat data of this run in key order: the loaded ones reused, and the new or changed ones.
  std::string stats;
  Writer s{stats};
  auto l = statsLoaded_.begin();
  auto f = statsFresh_.begin();
  while (l != statsLoaded_.end() || f != statsFresh_.end()) {
    if (l != statsLoaded_.end() && !l->second.used) {
      ++l;
      continue;
    }
    bool fromFresh = l == statsLoaded_.end() || (f != statsFresh_.end() && f->first < l->first);
    std::string key = fromFresh ? f->first : l->first;
    FileStat st = fromFresh ? f->second.first : l->second.stat;
    uint64_t hash = fromFresh ? f->second.second : l->second.hash;
    statFields(s, key, st, hash);
    if (fromFresh)
      ++f;
    else
      ++l;
  }
  return stats;
}

bool Cache::store() {
  if (fresh_.empty() && loaded_.empty() && statsFresh_.empty() && statsLoaded_.empty())
    return true;
  // Stat data that were trusted keep the start time of the run that recorded them; new ones get
  // this run's (an older start would make a racy entry look safe).
  bool allTrusted = statsFresh_.empty();
  for (const auto &[key, entry] : statsLoaded_)
    allTrusted = allTrusted && (!entry.used || !racy(entry.stat, loadedStartNs_));
  uint64_t start = allTrusted && loadedStartNs_ ? loadedStartNs_ : startNs_;
  if (dir_.empty())
    return true; // not used
  if (auto c = chunk(start)) {
    if (c->empty())
      return true; // all this run found is there already (entries it did not use stay)
    if (append(*c))
      return true;
  }
  return write(start);
}

std::optional<std::string> Cache::chunk(uint64_t start) const {
  std::string payload;
  Writer w{payload};
  w.num(chain_);
  w.num(start);
  // The stat data set (new or changed), then those dropped (not seen by this run): applied to the
  // loaded ones, what statSection() would write.
  w.num(statsFresh_.size());
  for (const auto &[path, fresh] : statsFresh_) {
    std::string key = path;
    FileStat st = fresh.first;
    uint64_t hash = fresh.second;
    statFields(w, key, st, hash);
  }
  std::vector<std::string> dropped;
  for (const auto &[key, st] : statsLoaded_)
    if (!st.used && !statsFresh_.count(key))
      dropped.push_back(key);
  w.num(dropped.size());
  for (auto &key : dropped)
    w.io(key);
  bool entries = false;
  for (const auto &[key, entry] : fresh_) {
    auto it = loaded_.find(key);
    if (it != loaded_.end() && it->second.hash == entry.first && it->second.bytes == entry.second)
      continue;
    writeEntry(payload, key, entry.first, entryCheck(key, entry.second), entry.second);
    entries = true;
  }
  if (!entries && statsFresh_.empty() && dropped.empty() && start == loadedStartNs_)
    return std::string(); // what was loaded holds it all
  // Written whole instead: no .dat of ours to add to; a log that nothing appended after its damage
  // would be read from; or past a quarter of the .dat (the log stays small beside it).
  if (!generation_ || logDamaged_ || (logBuffer_.size() + payload.size()) * 4 > buffer_.size())
    return std::nullopt;
  std::string out;
  Writer h{out};
  h.num(generation_);
  h.num(payload.size());
  h.num(contentHash(payload));
  return out + payload;
}

bool Cache::append(const std::string &chunk) const {
  source::Fd dirFd = openCacheFolder(dir_);
  if (!dirFd)
    return false;
  // One write with O_APPEND: chunks of runs at once follow one another; one cut short (a full disk,
  // a crash) fails its checksum and ends the log for the runs that read it.
  source::Fd fd(::openat(dirFd.get(), kLogName, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!fd)
    return false;
  size_t done = 0;
  while (done < chunk.size()) {
    ssize_t n = ::write(fd.get(), chunk.data() + done, chunk.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

source::Fd openCacheFolder(const std::string &dir) {
  llvm::StringRef parent = llvm::sys::path::parent_path(dir);
  if (!parent.empty() && llvm::sys::fs::create_directories(parent))
    return source::Fd();
  bool made = ::mkdir(dir.c_str(), 0777) == 0;
  if (!made && errno != EEXIST)
    return source::Fd();
  source::Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dirFd && (made || llvm::sys::path::filename(dir) == ".poolify-cache"))
    ignoreInGit(dirFd.get());
  return dirFd;
}

bool Cache::write(uint64_t start) const {
  source::Fd dirFd = openCacheFolder(dir_);
  if (!dirFd)
    return false;
  // Atomic replacement: written beside it, then renamed (a concurrent run keeps either version whole).
  auto out = source::OutputFile::openAt(dirFd.get(), kDatName, file_);
  if (!out) {
    llvm::consumeError(out.takeError());
    return false;
  }
  // Streamed: the head, then one entry at a time (this run's in key order, new ones over loaded).
  std::string text = stamp_ + "\n";
  Writer w{text};
  std::string stats = statSection();
  uint64_t statsCheck = contentHash(stats);
  // A new generation: the log of the one before is not this file's (and is removed below).
  uint64_t generation = newGeneration();
  w.io(generation);
  w.io(start);
  w.io(stats);
  w.io(statsCheck);
  auto emit = [&](const std::string &key, uint64_t hash, uint64_t check, std::string_view entry) {
    writeEntry(text, key, hash, check, entry);
    (*out)->os() << text;
    text.clear();
  };
  auto l = loaded_.begin();
  auto f = fresh_.begin();
  while (l != loaded_.end() || f != fresh_.end()) {
    if (l != loaded_.end() && (!l->second.used || (f != fresh_.end() && f->first == l->first))) {
      ++l; // not reused, or replaced by this run's
      continue;
    }
    if (l == loaded_.end() || (f != fresh_.end() && f->first < l->first)) {
      emit(f->first, f->second.first, entryCheck(f->first, f->second.second), f->second.second);
      ++f;
    } else { // used, so checked: its checksum stands
      emit(l->first, l->second.hash, l->second.check, l->second.bytes);
      ++l;
    }
  }
  (*out)->os() << text;
  if (auto err = (*out)->commit()) {
    llvm::consumeError(std::move(err));
    return false;
  }
  // (Were it left, its chunks would be skipped: another generation's.)
  ::unlinkat(dirFd.get(), kLogName, 0);
  return true;
}
std::string defaultCacheDir(const std::string &firstPath) {
  std::string start =
      llvm::sys::fs::is_directory(firstPath) ? firstPath : std::string(llvm::sys::path::parent_path(firstPath));
  if (start.empty())
    start = ".";
  source::GitResult git = source::runGit({"rev-parse", "--show-toplevel", "--absolute-git-dir"}, start);
  llvm::SmallVector<llvm::StringRef, 2> lines;
  llvm::StringRef(git.output).split(lines, '\n', -1, false);
  if (git.code == 0 && lines.size() == 2) {
    // A `.git` that is a symbolic link leads out of the tree: its target is not the place to write.
    llvm::SmallString<256> dotGit(lines[0]);
    llvm::sys::path::append(dotGit, ".git");
    if (llvm::sys::fs::is_symlink_file(dotGit)) {
      llvm::errs() << "poolify: warning: " << dotGit
                   << " is a symbolic link; the cache is not used (name a folder with --cache)\n";
      return "";
    }
    llvm::SmallString<256> p(lines[1]);
    llvm::sys::path::append(p, "poolify-cache");
    return std::string(p);
  }
  llvm::SmallString<256> p(start);
  llvm::sys::path::append(p, ".poolify-cache");
  return std::string(p);
}

} // namespace poolify::cache
