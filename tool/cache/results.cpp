#include "cache/results.h"

#include "cache/cache.h"
#include "cache/codec.h"
#include "source/output_file.h"
#include "source/posix.h"
#include "support/parallel.h"
#include "support/text.h"

#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace poolify::cache {

namespace {

using codec::Reader;
using codec::Writer;

// The first line of a results file: its format. Then the key, the start of the run that wrote it, the
// files (display path and stat data, in the run's order), the findings, the checksum of all that; then
// one entry per file: the content hash, whether UTF-8, the checksum and length of its outcome, the
// outcome as the cache serializes it.
constexpr std::string_view kMagic = "poolify-results 1\n";

template <typename A> void statFields(A &a, FileStat &s) {
  a.io(s.size);
  a.io(s.mtimeNs);
  a.io(s.ctimeNs);
  a.io(s.inode);
  a.io(s.device);
}

template <typename A> void inheritedFields(A &a, model::Inherited &x) {
  a.io(x.cls);
  a.io(x.attr);
  a.io(x.rule);
  a.io(x.base);
  a.io(x.status);
  a.io(x.reason);
}

// The findings of a run for `files` files; reading checks that every file number is one of them.
template <typename A> void findingsFields(A &a, RunFindings &f, size_t files) {
  a.list(f.warnings, [&](std::string &w) { a.io(w); });
  auto fileNumber = [&](size_t &file) {
    a.io(file);
    if constexpr (A::reading)
      a.ok = a.ok && file < files;
  };
  using Held = std::pair<size_t, std::vector<std::tuple<unsigned, unsigned, std::string>>>;
  std::vector<Held> holds;
  if constexpr (!A::reading)
    for (const auto &[file, sites] : f.holds) {
      holds.push_back({file, {}});
      for (const auto &[at, why] : sites)
        holds.back().second.emplace_back(at.first, at.second, why);
    }
  a.list(holds, [&](Held &h) {
    fileNumber(h.first);
    a.list(h.second, [&](auto &site) {
      a.io(std::get<0>(site));
      a.io(std::get<1>(site));
      a.io(std::get<2>(site));
    });
  });
  using Provided = std::pair<size_t, std::vector<std::pair<unsigned, unsigned>>>;
  std::vector<Provided> provided;
  if constexpr (!A::reading)
    for (const auto &[file, sites] : f.baseProvided)
      provided.push_back({file, {sites.begin(), sites.end()}});
  a.list(provided, [&](Provided &p) {
    fileNumber(p.first);
    a.list(p.second, [&](std::pair<unsigned, unsigned> &at) {
      a.io(at.first);
      a.io(at.second);
    });
  });
  using Inheriting = std::pair<size_t, std::vector<model::Inherited>>;
  std::vector<Inheriting> inheriting;
  bool perFile = !f.inherited.empty();
  a.io(perFile);
  if constexpr (!A::reading)
    for (size_t i = 0; i < f.inherited.size(); ++i)
      if (!f.inherited[i].empty())
        inheriting.push_back({i, f.inherited[i]});
  a.list(inheriting, [&](Inheriting &x) {
    fileNumber(x.first);
    a.list(x.second, [&](model::Inherited &c) { inheritedFields(a, c); });
  });
  if constexpr (A::reading) {
    if (!a.ok)
      return;
    for (auto &[file, sites] : holds)
      for (auto &[line, col, why] : sites)
        f.holds[file][{line, col}] = std::move(why);
    for (auto &[file, sites] : provided)
      f.baseProvided[file].insert(sites.begin(), sites.end());
    if (perFile)
      f.inherited.assign(files, {});
    for (auto &[file, list] : inheriting)
      f.inherited[file] = std::move(list);
  }
}

// Where an outcome's bytes sit in the file read, and what its entry says of them.
struct Entry {
  uint64_t hash = 0, check = 0;
  bool utf8 = true;
  std::string_view bytes;
};

// Whether the files recorded (read from `r`) are `files`, in order. The first that differs ends it:
// a changed tree costs no more than this. Changed or racy stat data end it too unless `rehash`; then
// the file goes to `restat`, for its bytes to be asked.
bool sameFiles(Reader &r, const std::vector<model::SourceFile> &files, uint64_t startNs, bool rehash,
               std::vector<size_t> &restat) {
  for (size_t i = 0; i < files.size(); ++i) {
    const model::SourceFile &file = files[i];
    std::string display;
    FileStat st;
    r.io(display);
    statFields(r, st);
    if (!r.ok || display != file.display() || !file.listed)
      return false;
    if (!(*file.listed == st) || racy(st, startNs)) {
      if (!rehash)
        return false;
      restat.push_back(i);
    }
  }
  return true;
}

// Whether each of the files `restat` still holds the bytes its entry was made from (hashNow), asked
// on the thread pool in file order; the first file found changed (or unreadable) ends the asking.
// The hashes asked go to `rehashed` (when given), in file order.
bool sameBytes(const std::vector<size_t> &restat, const std::vector<Entry> &entries, unsigned jobs,
               const Results::HashNow &hashNow, std::vector<std::pair<size_t, uint64_t>> *rehashed) {
  std::vector<std::optional<uint64_t>> now(restat.size());
  std::atomic<bool> changed{false};
  parallelFor(restat.size(), jobs, [&](size_t k) {
    if (changed.load(std::memory_order_relaxed))
      return;
    now[k] = hashNow(restat[k]);
    if (!now[k] || *now[k] != entries[restat[k]].hash)
      changed.store(true, std::memory_order_relaxed);
  });
  if (rehashed)
    for (size_t k = 0; k < restat.size(); ++k)
      if (now[k])
        rehashed->emplace_back(restat[k], *now[k]);
  return !changed.load();
}

} // namespace

Results::Results(std::string dir, const std::string &name, std::string key)
    : dir_(std::move(dir)), key_(std::move(key)), startNs_(nowNs()) {
  if (dir_.empty() || notARealFolder(dir_)) // the cache says why, when it is opened
    return;
  llvm::SmallString<256> f(dir_);
  llvm::sys::path::append(f, name);
  file_ = std::string(f);
}

bool Results::restore(const std::vector<model::SourceFile> &files, unsigned jobs,
                      std::vector<model::FileOutcome> &outcomes, RunFindings &findings, const HashNow &hashNow,
                      std::vector<std::pair<size_t, uint64_t>> *rehashed) const {
  if (file_.empty())
    return false;
  // Read, not mapped: another process may truncate the file in place while this run reads it (a
  // mapped page past the new end is a SIGBUS; a short read is bytes that fail the checks below). A
  // regular file only, opened without following a link or blocking.
  source::Fd fd(::open(file_.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  std::string bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  if (!source::readAll(fd.get(), bytes))
    return false;
  std::string_view text = bytes;
  if (text.substr(0, kMagic.size()) != kMagic)
    return false;
  Reader r{text, kMagic.size()};
  std::string key;
  uint64_t startNs = 0, count = 0;
  r.io(key);
  r.io(startNs);
  r.io(count);
  if (!r.ok || key != key_ || count != files.size())
    return false;
  std::vector<size_t> restat;
  if (!sameFiles(r, files, startNs, static_cast<bool>(hashNow), restat))
    return false;
  RunFindings found;
  findingsFields(r, found, files.size());
  size_t headEnd = r.pos;
  uint64_t headCheck = r.num();
  if (!r.ok || headCheck != contentHash(text.substr(0, headEnd)))
    return false;
  std::vector<Entry> entries(files.size());
  for (auto &e : entries) {
    r.io(e.hash);
    r.io(e.utf8);
    r.io(e.check);
    uint64_t size = r.num();
    if (!r.ok || size > text.size() - r.pos)
      return false;
    e.bytes = text.substr(r.pos, size);
    r.pos += size;
  }
  if (r.pos != text.size())
    return false;
  if (!restat.empty() && !sameBytes(restat, entries, jobs, hashNow, rehashed))
    return false;
  std::vector<model::FileOutcome> restored(files.size());
  std::vector<char> good(files.size(), 0);
  parallelFor(files.size(), jobs, [&](size_t i) {
    const Entry &e = entries[i];
    if (contentHash(e.bytes) != e.check)
      return;
    // A view of the run's file list, as the run keeps it: not a copy of every path.
    auto out = deserialize(e.bytes, model::FileRef::view(files[i]), e.hash);
    if (!out)
      return;
    restored[i] = std::move(*out);
    restored[i].utf8 = e.utf8;
    good[i] = 1;
  });
  if (std::find(good.begin(), good.end(), 0) != good.end())
    return false;
  outcomes = std::move(restored);
  findings = std::move(found);
  return true;
}

bool Results::store(const std::vector<model::SourceFile> &files, const std::vector<model::FileOutcome> &outcomes,
                    const RunFindings &findings, unsigned jobs) const {
  if (file_.empty())
    return true;
  bool keepable = outcomes.size() == files.size();
  for (size_t i = 0; keepable && i < files.size(); ++i)
    keepable = files[i].listed && outcomes[i].utf8;
  if (!keepable) { // nor are the last run's results: this run is not theirs
    ::unlink(file_.c_str());
    return true;
  }
  std::string head(kMagic);
  Writer w{head};
  std::string key = key_;
  uint64_t startNs = startNs_, count = files.size();
  w.io(key);
  w.io(startNs);
  w.io(count);
  for (const auto &file : files) {
    std::string display = file.display();
    FileStat st = *file.listed;
    w.io(display);
    statFields(w, st);
  }
  findingsFields(w, const_cast<RunFindings &>(findings), files.size()); // the writer only reads
  w.num(contentHash(head));
  source::Fd dirFd = openCacheFolder(dir_);
  if (!dirFd)
    return false;
  auto out = source::OutputFile::openAt(dirFd.get(), std::string(llvm::sys::path::filename(file_)), file_);
  if (!out) {
    llvm::consumeError(out.takeError());
    return false;
  }
  (*out)->os() << head;
  // Streamed a block of files at a time, each block serialized on the thread pool.
  constexpr size_t kBlock = 4096;
  std::vector<std::string> entries(std::min(kBlock, files.size()));
  for (size_t first = 0; first < files.size(); first += kBlock) {
    size_t n = std::min(kBlock, files.size() - first);
    parallelFor(n, jobs, [&](size_t k) {
      const model::FileOutcome &o = outcomes[first + k];
      std::string bytes = serialize(o);
      entries[k].clear();
      Writer e{entries[k]};
      e.num(o.hash);
      e.num(o.utf8 ? 1 : 0);
      e.num(contentHash(bytes));
      e.num(bytes.size());
      entries[k] += bytes;
    });
    for (size_t k = 0; k < n; ++k)
      (*out)->os() << entries[k];
  }
  if (auto err = (*out)->commit()) {
    llvm::consumeError(std::move(err));
    return false;
  }
  return true;
}

} // namespace poolify::cache
