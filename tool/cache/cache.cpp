#include "cache/cache.h"

#include "source/file_io.h"
#include "source/git.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <limits>
#include <mutex>
#include <type_traits>

namespace poolify::cache {

using model::AttributeAssignment;
using model::SiteRecord;

namespace {

std::mutex putMutex;
// The largest value of model::Outcome (an entry with a larger one is not read).
constexpr int kLastOutcome = static_cast<int>(model::Outcome::Unsafe);

// The cache's serialized form: numbers in decimal, each followed by a space; strings as their
// length and the bytes; lists as their length and the elements. One function lists an outcome's
// fields (fields() below) for both directions, so writing and reading cannot drift apart.
struct Writer {
  static constexpr bool reading = false;
  std::string &out;
  void num(uint64_t v) {
    out += std::to_string(v);
    out += ' ';
  }
  template <typename T> void io(T &v) {
    if constexpr (std::is_same_v<T, std::string>) {
      num(v.size());
      out += v;
    } else {
      num(static_cast<uint64_t>(v));
    }
  }
  template <typename E> void choice(E &e, int) { num(static_cast<uint64_t>(e)); }
  template <typename T, typename F> void list(std::vector<T> &v, F each) {
    num(v.size());
    for (auto &x : v)
      each(x);
  }
};

// Reading fails closed: any malformed number, length or value leaves ok false (the entry, or the
// whole file, is then not used).
struct Reader {
  static constexpr bool reading = true;
  std::string_view in;
  size_t pos = 0;
  bool ok = true;
  uint64_t num() {
    uint64_t v = 0;
    size_t start = pos;
    while (ok && pos < in.size() && in[pos] >= '0' && in[pos] <= '9') {
      uint64_t digit = static_cast<uint64_t>(in[pos++] - '0');
      ok = v <= (std::numeric_limits<uint64_t>::max() - digit) / 10; // no overflow
      v = v * 10 + digit;
    }
    if (pos == start || pos >= in.size() || in[pos] != ' ')
      ok = false;
    else
      ++pos;
    return ok ? v : 0;
  }
  template <typename T> void io(T &v) {
    if constexpr (std::is_same_v<T, std::string>) {
      uint64_t n = num();
      if (!ok || n > in.size() - pos) {
        ok = false;
        return;
      }
      v.assign(in.substr(pos, n));
      pos += n;
    } else if constexpr (std::is_same_v<T, bool>) {
      uint64_t n = num();
      ok = ok && n <= 1;
      v = n == 1;
    } else {
      uint64_t n = num();
      ok = ok && n <= std::numeric_limits<T>::max();
      v = static_cast<T>(n);
    }
  }
  template <typename E> void choice(E &e, int max) {
    uint64_t n = num();
    ok = ok && n <= static_cast<uint64_t>(max);
    e = static_cast<E>(ok ? n : 0);
  }
  template <typename T, typename F> void list(std::vector<T> &v, F each) {
    uint64_t n = num();
    if (!ok || n > in.size() - pos) { // every element takes at least one byte
      ok = false;
      return;
    }
    v.resize(n);
    for (auto &x : v) {
      each(x);
      if (!ok)
        return;
    }
  }
};

template <typename A> void pairs(A &a, std::vector<std::pair<std::string, std::string>> &v) {
  a.list(v, [&](auto &p) {
    a.io(p.first);
    a.io(p.second);
  });
}

template <typename A> void factsFields(A &a, model::FileFacts &f) {
  a.list(f.classes, [&](model::ClassFacts &c) {
    a.io(c.name);
    a.list(c.bases, [&](std::string &b) { a.io(b); });
    a.io(c.hasInit);
    a.list(c.initCalls, [&](model::BaseInitCall &k) {
      a.io(k.base);
      a.io(k.start);
      a.io(k.unconditional);
    });
    a.list(c.assignments, [&](model::AttributeAssignment &x) {
      a.io(x.attr);
      a.choice(x.source, 2);
      a.io(x.rule);
      pairs(a, x.args);
      a.choice(x.outcome, kLastOutcome);
      a.io(x.siteOffset);
      a.io(x.start);
      a.io(x.end);
      a.io(x.line);
      a.io(x.col);
      a.choice(x.where, 2);
      a.io(x.method);
      a.io(x.unconditional);
    });
    a.list(c.initUses, [&](std::pair<std::string, uint32_t> &u) {
      a.io(u.first);
      a.io(u.second);
    });
  });
  std::vector<std::pair<std::string, std::string>> imports;
  if constexpr (!A::reading)
    imports = f.imports.entries();
  pairs(a, imports);
  if constexpr (A::reading) {
    // As written: sorted, unique, and no separator inside (else the entry is not trusted).
    for (size_t i = 0; i < imports.size(); ++i)
      a.ok = a.ok && (i == 0 || imports[i - 1].first < imports[i].first) &&
             imports[i].first.find_first_of("\t\n") == std::string::npos &&
             imports[i].second.find_first_of("\t\n") == std::string::npos;
    f.imports = model::ImportTable(imports);
  }
}

template <typename A> void fields(A &a, model::FileOutcome &o) {
  a.list(o.messages, [&](model::Message &m) {
    a.io(m.line);
    a.io(m.col);
    a.io(m.text);
    a.io(m.error);
  });
  a.io(o.rewritten);
  a.io(o.left);
  a.io(o.removed);
  a.list(o.poolModules, [&](std::string &m) { a.io(m); });
  a.list(o.records, [&](model::SiteRecord &r) {
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
  });
  a.list(o.mocks, [&](model::MockCandidate &m) {
    a.io(m.line);
    a.io(m.col);
    a.io(m.target);
    a.io(m.object);
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

std::optional<model::FileOutcome> deserialize(const std::string &text, const model::SourceFile &file,
                                                 uint64_t hash) {
  // The texts are not in the cache: the outcome comes back released (pipeline::texts reads them).
  model::FileOutcome out;
  out.file = file;
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

Cache::Cache(std::string dir, std::string stamp) : stamp_(std::move(stamp)) {
  llvm::SmallString<256> f(dir);
  llvm::sys::path::append(f, "poolify-cache.dat");
  file_ = std::string(f);
  auto buf = llvm::MemoryBuffer::getFile(file_);
  if (!buf)
    return;
  // The stamp line, then (key, hash, entry) triples to the end. Anything else: ignore it all.
  std::string_view text((*buf)->getBufferStart(), (*buf)->getBufferSize());
  if (text.substr(0, stamp_.size() + 1) != stamp_ + "\n")
    return;
  Reader r{text, stamp_.size() + 1};
  while (r.ok && r.pos < text.size()) {
    std::string key, entry;
    uint64_t hash = 0, check = 0;
    r.io(key);
    r.io(hash);
    r.io(check);
    r.io(entry);
    // Every entry carries its own checksum: a damaged byte anywhere makes the file unusable.
    r.ok = r.ok && check == contentHash(key + '\n' + entry);
    if (r.ok)
      loaded_[std::move(key)] = {hash, std::move(entry)};
  }
  if (!r.ok)
    loaded_.clear();
}

std::optional<model::FileOutcome> Cache::lookup(const model::SourceFile &file, uint64_t hash,
                                                   const std::string &variant) {
  std::string key = variant.empty() ? file.display : file.display + "\n" + variant;
  auto it = loaded_.find(key);
  if (it == loaded_.end() || it->second.first != hash)
    return std::nullopt;
  auto out = deserialize(it->second.second, file, hash);
  if (out) {
    // Kept for the next run as it is (store() writes what this run saw, nothing stale).
    std::lock_guard<std::mutex> lock(putMutex);
    hits_ += variant.rfind("remove", 0) != 0; // a file's own outcome, not a replan
    fresh_[key] = it->second;
  }
  return out;
}

void Cache::put(const model::FileOutcome &o, const std::string &variant) {
  // JSON holds UTF-8 only: a file in another encoding is not cached (it is analyzed again next time).
  if (!o.utf8)
    return;
  std::string entry = serialize(o);
  std::string key = variant.empty() ? o.file.display : o.file.display + "\n" + variant;
  std::lock_guard<std::mutex> lock(putMutex);
  fresh_[key] = {o.hash, std::move(entry)};
}

bool Cache::store() {
  if (fresh_.empty() && loaded_.empty())
    return true;
  std::string text = stamp_ + "\n";
  Writer w{text};
  for (auto &[key, entry] : fresh_) {
    std::string k = key;
    uint64_t check = contentHash(key + '\n' + entry.second);
    w.io(k);
    w.io(entry.first);
    w.io(check);
    w.io(entry.second);
  }
  llvm::SmallString<256> dir = llvm::sys::path::parent_path(file_);
  if (llvm::sys::fs::create_directories(dir))
    return false;
  // Atomic replacement: write beside it, then rename (a concurrent run keeps either version whole).
  llvm::SmallString<256> tmp;
  if (llvm::sys::fs::createUniqueFile(file_ + ".%%%%%%.tmp", tmp))
    return false;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(tmp, ec);
    if (ec)
      return false;
    os << text;
    os.close();
    if (os.has_error()) {
      os.clear_error();
      llvm::sys::fs::remove(tmp);
      return false;
    }
  }
  if (llvm::sys::fs::rename(tmp, file_)) {
    llvm::sys::fs::remove(tmp);
    return false;
  }
  return true;
}

std::string defaultCacheDir(const std::string &firstPath) {
  std::string start = llvm::sys::fs::is_directory(firstPath) ? firstPath
                                                             : std::string(llvm::sys::path::parent_path(firstPath));
  if (start.empty())
    start = ".";
  source::GitResult git = source::runGit({"rev-parse", "--absolute-git-dir"}, start);
  if (git.code == 0 && !git.output.empty()) {
    std::string dir = git.output.substr(0, git.output.find('\n'));
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, "poolify-cache");
    return std::string(p);
  }
  llvm::SmallString<256> p(start);
  llvm::sys::path::append(p, ".poolify-cache");
  return std::string(p);
}

} // namespace poolify::cache
