#include "cache/cache.h"

#include "source/file_io.h"
#include "source/git.h"
#include "support/text.h"

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <mutex>

namespace poolify::cache {

namespace json = llvm::json;
using analysis::AttributeAssignment;
using pipeline::SiteRecord;

namespace {

std::mutex putMutex;

json::Array strings(const std::vector<std::string> &v) {
  json::Array a;
  for (const auto &s : v)
    a.push_back(s);
  return a;
}
json::Array pairs(const std::vector<std::pair<std::string, std::string>> &v) {
  json::Array a;
  for (const auto &[k, x] : v)
    a.push_back(json::Array{k, x});
  return a;
}

json::Value factsJson(const analysis::FileFacts &f) {
  json::Array classes;
  for (const auto &c : f.classes) {
    json::Array calls, assigns, uses;
    for (const auto &k : c.initCalls)
      calls.push_back(json::Array{k.base, k.start, k.unconditional});
    for (const auto &a : c.assignments)
      assigns.push_back(json::Object{{"attr", a.attr},
                                     {"source", static_cast<int>(a.source)},
                                     {"rule", a.rule},
                                     {"args", pairs(a.args)},
                                     {"outcome", static_cast<int>(a.outcome)},
                                     {"site", a.siteOffset},
                                     {"start", a.start},
                                     {"end", a.end},
                                     {"line", a.line},
                                     {"col", a.col},
                                     {"where", static_cast<int>(a.where)},
                                     {"method", a.method},
                                     {"unconditional", a.unconditional}});
    for (const auto &[attr, at] : c.initUses)
      uses.push_back(json::Array{attr, at});
    classes.push_back(json::Object{{"name", c.name},
                                   {"bases", strings(c.bases)},
                                   {"init", c.hasInit},
                                   {"calls", std::move(calls)},
                                   {"assigns", std::move(assigns)},
                                   {"uses", std::move(uses)}});
  }
  json::Object imports;
  for (const auto &[k, v] : f.imports)
    imports[k] = v;
  return json::Object{{"classes", std::move(classes)}, {"imports", std::move(imports)}};
}

// Reading back: every accessor fails closed (the entry is then not used).
struct Reader {
  bool ok = true;
  std::string str(const json::Value *v) {
    auto s = v ? v->getAsString() : llvm::None;
    ok = ok && s.hasValue();
    return s ? s->str() : std::string();
  }
  int64_t num(const json::Value *v) {
    auto n = v ? v->getAsInteger() : llvm::None;
    ok = ok && n.hasValue();
    return n ? *n : 0;
  }
  bool flag(const json::Value *v) {
    auto b = v ? v->getAsBoolean() : llvm::None;
    ok = ok && b.hasValue();
    return b ? *b : false;
  }
  const json::Array &arr(const json::Value *v) {
    static const json::Array empty;
    const json::Array *a = v ? v->getAsArray() : nullptr;
    ok = ok && a;
    return a ? *a : empty;
  }
  const json::Object &obj(const json::Value *v) {
    static const json::Object empty;
    const json::Object *o = v ? v->getAsObject() : nullptr;
    ok = ok && o;
    return o ? *o : empty;
  }
  std::vector<std::pair<std::string, std::string>> pairsOf(const json::Value *v) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto &p : arr(v)) {
      const auto &a = arr(&p);
      if (a.size() == 2)
        out.push_back({str(&a[0]), str(&a[1])});
      else
        ok = false;
    }
    return out;
  }
  template <typename E> E enumOf(const json::Value *v, int max) {
    int64_t n = num(v);
    ok = ok && n >= 0 && n <= max;
    return static_cast<E>(n);
  }
};

analysis::FileFacts factsFrom(Reader &r, const json::Object &o) {
  analysis::FileFacts f;
  for (const auto &cv : r.arr(o.get("classes"))) {
    const auto &co = r.obj(&cv);
    analysis::ClassFacts c;
    c.name = r.str(co.get("name"));
    for (const auto &b : r.arr(co.get("bases")))
      c.bases.push_back(r.str(&b));
    c.hasInit = r.flag(co.get("init"));
    for (const auto &kv : r.arr(co.get("calls"))) {
      const auto &k = r.arr(&kv);
      if (k.size() != 3) {
        r.ok = false;
        continue;
      }
      c.initCalls.push_back({r.str(&k[0]), static_cast<uint32_t>(r.num(&k[1])), r.flag(&k[2])});
    }
    for (const auto &av : r.arr(co.get("assigns"))) {
      const auto &ao = r.obj(&av);
      AttributeAssignment a;
      a.attr = r.str(ao.get("attr"));
      a.source = r.enumOf<AttributeAssignment::Source>(ao.get("source"), 2);
      a.rule = r.str(ao.get("rule"));
      a.args = r.pairsOf(ao.get("args"));
      a.outcome = r.enumOf<rewrite::SiteDecision::Outcome>(ao.get("outcome"), 3);
      a.siteOffset = static_cast<uint32_t>(r.num(ao.get("site")));
      a.start = static_cast<uint32_t>(r.num(ao.get("start")));
      a.end = static_cast<uint32_t>(r.num(ao.get("end")));
      a.line = static_cast<unsigned>(r.num(ao.get("line")));
      a.col = static_cast<unsigned>(r.num(ao.get("col")));
      a.where = r.enumOf<AttributeAssignment::Where>(ao.get("where"), 2);
      a.method = r.str(ao.get("method"));
      a.unconditional = r.flag(ao.get("unconditional"));
      c.assignments.push_back(std::move(a));
    }
    for (const auto &uv : r.arr(co.get("uses"))) {
      const auto &u = r.arr(&uv);
      if (u.size() != 2) {
        r.ok = false;
        continue;
      }
      c.initUses.push_back({r.str(&u[0]), static_cast<uint32_t>(r.num(&u[1]))});
    }
    f.classes.push_back(std::move(c));
  }
  for (const auto &[k, v] : r.obj(o.get("imports")))
    f.imports[k.str()] = r.str(&v);
  return f;
}

} // namespace

// The entry of a file with nothing in it for any rule (most files): no JSON to parse back.
constexpr llvm::StringLiteral kTrivial = "-", kTrivialClass = "-class";

std::string serialize(const pipeline::FileOutcome &o) {
  if (o.trivial())
    return std::string(o.mentionsClass ? kTrivialClass : kTrivial);
  json::Array messages, records, mocks, edits;
  for (const auto &m : o.messages)
    messages.push_back(json::Array{m.line, m.col, m.text, m.error});
  for (const auto &r : o.records)
    records.push_back(json::Object{{"kind", static_cast<int>(r.kind)},
                                   {"line", r.line},
                                   {"col", r.col},
                                   {"rule", r.rule},
                                   {"callable", r.callable},
                                   {"outcome", static_cast<int>(r.outcome)},
                                   {"reason", r.reason},
                                   {"code", r.code},
                                   {"callee", r.callee},
                                   {"ignore", r.ignore}});
  for (const auto &m : o.mocks)
    mocks.push_back(json::Array{m.line, m.col, m.target, m.object});
  json::Object root{{"messages", std::move(messages)},
                    {"rewritten", o.rewritten},
                    {"left", o.left},
                    {"removed", o.removed},
                    {"pools", strings(o.poolModules)},
                    {"records", std::move(records)},
                    {"mocks", std::move(mocks)},
                    {"failed", o.failed}};
  if (o.facts)
    root["facts"] = factsJson(*o.facts);
  for (const auto &e : o.edits)
    edits.push_back(json::Array{static_cast<int64_t>(e.offset), static_cast<int64_t>(e.length), e.text});
  if (!edits.empty())
    root["edits"] = std::move(edits); // valid UTF-8: only such outcomes are kept (see put)
  root["class"] = o.mentionsClass;
  std::string out;
  llvm::raw_string_ostream os(out);
  os << json::Value(std::move(root));
  return os.str();
}

std::optional<pipeline::FileOutcome> deserialize(const std::string &text, const source::SourceFile &file,
                                                 uint64_t hash) {
  // The texts are not in the cache: the outcome comes back released (pipeline::texts reads them).
  pipeline::FileOutcome out;
  out.file = file;
  out.hash = hash;
  out.release();
  if (text == kTrivial || text == kTrivialClass) {
    out.mentionsClass = text == kTrivialClass;
    return out;
  }
  auto parsed = json::parse(text);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return std::nullopt;
  }
  Reader r;
  const json::Object &o = r.obj(&*parsed);
  if (o.get("edits"))
    for (const auto &ev : r.arr(o.get("edits"))) {
      const auto &e = r.arr(&ev);
      if (e.size() != 3) {
        r.ok = false;
        continue;
      }
      int64_t offset = r.num(&e[0]), length = r.num(&e[1]);
      r.ok = r.ok && offset >= 0 && length >= 0;
      out.edits.push_back({static_cast<size_t>(offset), static_cast<size_t>(length), r.str(&e[2])});
    }
  out.mentionsClass = r.flag(o.get("class"));
  for (const auto &mv : r.arr(o.get("messages"))) {
    const auto &m = r.arr(&mv);
    if (m.size() != 4) {
      r.ok = false;
      continue;
    }
    out.messages.push_back({static_cast<unsigned>(r.num(&m[0])), static_cast<unsigned>(r.num(&m[1])), r.str(&m[2]),
                            r.flag(&m[3])});
  }
  out.rewritten = static_cast<unsigned>(r.num(o.get("rewritten")));
  out.left = static_cast<unsigned>(r.num(o.get("left")));
  out.removed = static_cast<unsigned>(r.num(o.get("removed")));
  for (const auto &p : r.arr(o.get("pools")))
    out.poolModules.push_back(r.str(&p));
  for (const auto &rv : r.arr(o.get("records"))) {
    const auto &ro = r.obj(&rv);
    SiteRecord s;
    s.kind = r.enumOf<SiteRecord::Kind>(ro.get("kind"), 4);
    s.line = static_cast<unsigned>(r.num(ro.get("line")));
    s.col = static_cast<unsigned>(r.num(ro.get("col")));
    s.rule = r.str(ro.get("rule"));
    s.callable = r.str(ro.get("callable"));
    s.outcome = r.enumOf<rewrite::SiteDecision::Outcome>(ro.get("outcome"), 3);
    s.reason = r.str(ro.get("reason"));
    s.code = r.str(ro.get("code"));
    s.callee = r.str(ro.get("callee"));
    s.ignore = r.str(ro.get("ignore"));
    out.records.push_back(std::move(s));
  }
  for (const auto &mv : r.arr(o.get("mocks"))) {
    const auto &m = r.arr(&mv);
    if (m.size() != 4) {
      r.ok = false;
      continue;
    }
    out.mocks.push_back({static_cast<unsigned>(r.num(&m[0])), static_cast<unsigned>(r.num(&m[1])), r.str(&m[2]),
                         r.flag(&m[3])});
  }
  out.failed = r.flag(o.get("failed"));
  if (const json::Value *f = o.get("facts"))
    out.facts = factsFrom(r, r.obj(f));
  if (!r.ok)
    return std::nullopt;
  return out;
}

Cache::Cache(std::string dir, std::string stamp) : stamp_(std::move(stamp)) {
  llvm::SmallString<256> f(dir);
  llvm::sys::path::append(f, "poolify-cache.jsonl");
  file_ = std::string(f);
  auto buf = llvm::MemoryBuffer::getFile(file_);
  if (!buf)
    return;
  llvm::StringRef text = (*buf)->getBuffer();
  llvm::SmallVector<llvm::StringRef, 0> lines;
  text.split(lines, '\n', -1, false);
  // Line 1: the stamp; then triples of lines: path, hash, outcome. Anything else: ignore it all.
  if (lines.empty() || lines[0] != stamp_ || (lines.size() - 1) % 3 != 0)
    return;
  for (size_t i = 1; i + 2 < lines.size(); i += 3) {
    uint64_t hash = 0;
    if (lines[i + 1].getAsInteger(16, hash)) {
      loaded_.clear();
      return;
    }
    auto path = json::parse(lines[i]);
    if (!path || !path->getAsString()) {
      if (!path)
        llvm::consumeError(path.takeError());
      loaded_.clear();
      return;
    }
    loaded_[path->getAsString()->str()] = {hash, lines[i + 2].str()};
  }
}

std::optional<pipeline::FileOutcome> Cache::lookup(const source::SourceFile &file, uint64_t hash,
                                                   const std::string &variant) {
  std::string key = variant.empty() ? file.display : file.display + "\n" + variant;
  auto it = loaded_.find(key);
  if (it == loaded_.end() || it->second.first != hash)
    return std::nullopt;
  auto out = deserialize(it->second.second, file, hash);
  if (out) {
    // Kept for the next run as it is (store() writes what this run saw, nothing stale).
    std::lock_guard<std::mutex> lock(putMutex);
    hits_ += variant.empty();
    fresh_[key] = it->second;
  }
  return out;
}

void Cache::put(const pipeline::FileOutcome &o, const std::string &variant) {
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
  for (const auto &[path, entry] : fresh_) {
    std::string quoted;
    llvm::raw_string_ostream os(quoted);
    os << json::Value(path);
    text += os.str() + "\n" + fmt::format("{:x}", entry.first) + "\n" + entry.second + "\n";
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
