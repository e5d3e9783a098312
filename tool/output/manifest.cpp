#include "output/manifest.h"

#include "output/printers.h"

#include <llvm/Support/JSON.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace poolify::output {

using model::Counts;
using model::formatPercent;
using model::Manifest;
using model::ManifestFile;
using model::recount;
using model::SiteRecord;

namespace {

// A manifest's string field; empty when the object or the field is missing.
std::string stringField(const llvm::json::Object *o, llvm::StringRef key) {
  auto v = o ? o->getString(key) : llvm::None;
  return v ? v->str() : std::string();
}

// A manifest's number field; 0 when the object or the field is missing.
unsigned numberField(const llvm::json::Object *o, llvm::StringRef key) {
  auto v = o ? o->getInteger(key) : llvm::None;
  return v ? static_cast<unsigned>(*v) : 0u;
}

// A site's kind from its "kind" field (pooled sites have none).
model::SiteRecord::Kind siteKind(const llvm::json::Object *so, bool direct) {
  return !direct                                  ? model::SiteRecord::Kind::Pooled
         : stringField(so, "kind") == "reference" ? model::SiteRecord::Kind::Reference
                                                  : model::SiteRecord::Kind::Direct;
}

// Whether a site's "fix" label says the fix removes an override.
bool isRemovalFix(const std::string &fix) {
  return fix == "remove redundant override" || fix == "remove override with --unsafe-fixes";
}

// A site's outcome from its "fix" label (the inverse of SiteRecord::fixLabel).
model::Outcome outcomeOfFix(const std::string &fix, bool direct) {
  return !direct || fix == "rewrite"          ? model::Outcome::Rewritten
         : fix == "remove redundant override" ? model::Outcome::Removed
         : fix == "rewrite with --unsafe-fixes" || fix == "remove override with --unsafe-fixes" ? model::Outcome::Unsafe
                                                                                                : model::Outcome::Left;
}

SiteRecord readSite(const llvm::json::Object *so, bool direct) {
  SiteRecord r;
  r.kind = siteKind(so, direct);
  r.line = numberField(so, "line");
  r.col = numberField(so, "column");
  r.rule = stringField(so, "rule");
  r.callable = stringField(so, "callable");
  std::string fix = stringField(so, "fix");
  r.outcome = outcomeOfFix(fix, direct);
  r.removal = isRemovalFix(fix);
  r.reason = stringField(so, "reason");
  std::string ignored = stringField(so, "ignored");
  r.ignore = ignored == "all rules" ? "*" : ignored;
  return r;
}

void readSites(const llvm::json::Object &fo, llvm::StringRef key, bool direct, model::SiteList &out) {
  if (const llvm::json::Array *arr = fo.getArray(key))
    for (const auto &sv : *arr)
      out.own(readSite(sv.getAsObject(), direct));
}

void readInherited(const llvm::json::Object &fo, std::vector<model::Inherited> &out) {
  if (const llvm::json::Array *arr = fo.getArray("inherited"))
    for (const auto &iv : *arr) {
      const llvm::json::Object *io = iv.getAsObject();
      model::Inherited i{stringField(io, "class"), stringField(io, "attribute"), stringField(io, "rule"),
                         stringField(io, "base"),  stringField(io, "status"),    stringField(io, "reason")};
      if (i.status.empty())
        i.status = "pooled";
      out.push_back(std::move(i));
    }
}

ManifestFile readFileEntry(const llvm::json::Object &fo) {
  ManifestFile f;
  f.path = stringField(&fo, "path");
  f.category = stringField(&fo, "category");
  readSites(fo, "direct_sites", true, f.direct);
  readSites(fo, "pooled_sites", false, f.pooled);
  readInherited(fo, f.inherited);
  return f;
}

void readMockTargets(const llvm::json::Object &root, std::vector<model::MockTarget> &out) {
  if (const llvm::json::Array *mocks = root.getArray("mock_targets"))
    for (const auto &tv : *mocks) {
      const llvm::json::Object *to = tv.getAsObject();
      const llvm::json::Object *site = to ? to->getObject("site") : nullptr;
      out.push_back({stringField(to, "path"), numberField(to, "line"), numberField(to, "column"),
                     stringField(to, "target"), stringField(site, "path"), numberField(site, "line"),
                     numberField(site, "column"), stringField(to, "rule")});
    }
}

} // namespace

llvm::Expected<Manifest> readManifest(const std::string &path) {
  auto bad = [&](const std::string &why) {
    return llvm::createStringError(std::errc::invalid_argument, "%s: error: not a poolify manifest: %s", path.c_str(),
                                   why.c_str());
  };
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf)
    return llvm::createStringError(buf.getError(), "%s: error: cannot read: %s", path.c_str(),
                                   buf.getError().message().c_str());
  auto json = llvm::json::parse((*buf)->getBuffer());
  if (!json)
    return bad(llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  if (!root || root->getInteger("schema_version").getValueOr(0) != 1)
    return bad("schema_version 1 expected (write it with poolify manifest --format json)");
  Manifest m;
  m.shard = stringField(root, "shard");
  if (const llvm::json::Array *files = root->getArray("files")) {
    for (const auto &fv : *files) {
      const llvm::json::Object *fo = fv.getAsObject();
      if (!fo)
        return bad("a file entry is not an object");
      m.files.push_back(readFileEntry(*fo));
    }
  }
  readMockTargets(*root, m.mockTargets);
  recount(m);
  return m;
}

namespace {

// "K/N" as two numbers; nullopt for anything else.
std::optional<std::pair<unsigned, unsigned>> shardNumbers(const std::string &spec) {
  unsigned k = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(spec.c_str(), "%u%c%u%c", &k, &slash, &n, &extra) != 3 || slash != '/' || k == 0 || k > n)
    return std::nullopt;
  return std::make_pair(k, n);
}

} // namespace

std::optional<std::string> shardsProblem(const std::vector<std::pair<std::string, std::string>> &shards) {
  std::map<unsigned, std::string> given; // K -> file
  unsigned count = 0;
  std::string countFrom, whole;
  for (const auto &[file, spec] : shards) {
    if (spec.empty()) {
      whole = file;
      continue;
    }
    auto kn = shardNumbers(spec);
    if (!kn)
      return fmt::format("{}: error: shard '{}' is not K/N", file, spec);
    if (count && kn->second != count)
      return fmt::format("{}: error: shard {} is of another split than {} (shard {}/{})", file, spec, countFrom,
                         given.begin()->first, count);
    count = kn->second, countFrom = file;
    auto [it, fresh] = given.emplace(kn->first, file);
    if (!fresh)
      return fmt::format("{}: error: shard {} is given twice (also {})", file, spec, it->second);
  }
  if (!count)
    return std::nullopt; // whole runs only: they must share no file (mergeManifests says)
  if (!whole.empty())
    return fmt::format("{}: error: a whole run's manifest, not a shard; merge the shards 1/{} to {}/{} only", whole,
                       count, count, count);
  std::string missing;
  for (unsigned k = 1; k <= count; ++k)
    if (!given.count(k))
      missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k, count);
  if (missing.empty())
    return std::nullopt;
  bool one = missing.find(',') == std::string::npos;
  return fmt::format("poolify manifest --merge: shard{} {} {} missing: the merge would not be the run's manifest",
                     one ? "" : "s", missing, one ? "is" : "are");
}

llvm::Expected<Manifest> mergeManifests(const std::vector<std::string> &paths) {
  Manifest out;
  std::map<std::string, std::string> seen; // path -> manifest it came from
  std::vector<Manifest> read;
  std::vector<std::pair<std::string, std::string>> shards;
  for (const auto &p : paths) {
    auto m = readManifest(p);
    if (!m)
      return m.takeError();
    shards.emplace_back(p, m->shard);
    read.push_back(std::move(*m));
  }
  if (auto why = shardsProblem(shards))
    return llvm::createStringError(std::errc::invalid_argument, "%s", why->c_str());
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string &p = paths[i];
    Manifest *m = &read[i];
    for (auto &f : m->files) {
      auto [it, fresh] = seen.emplace(f.path, p);
      if (!fresh)
        return llvm::createStringError(std::errc::invalid_argument,
                                       "%s: error: %s is also in %s; shards of one run never share a file", p.c_str(),
                                       f.path.c_str(), it->second.c_str());
      out.files.push_back(std::move(f));
    }
    for (auto &t : m->mockTargets)
      out.mockTargets.push_back(std::move(t));
  }
  recount(out);
  return out;
}

namespace {

// Counts as a JSON object, keys in sorted order (as json::Value prints them). The coverage is
// written as formatPercent prints it (6.1, not the nearest double's 6.0999999999999996).
void countsJson(llvm::json::OStream &j, const Counts &c) {
  j.object([&] {
    j.attributeBegin("coverage_percent");
    std::string pct = formatPercent(c.coverage());
    if (pct.size() > 2 && pct.compare(pct.size() - 2, 2, ".0") == 0)
      pct.resize(pct.size() - 2); // a whole number: 25, not 25.0
    j.rawValue(pct);
    j.attributeEnd();
    j.attribute("direct_sites", c.directSites);
    j.attribute("files", c.files);
    j.attribute("files_inherited", c.filesInherited);
    j.attribute("files_pooled", c.filesPooled);
    j.attribute("files_with_direct_sites", c.filesDirect);
    j.attribute("fixable_sites", c.fixableSites);
    j.attribute("inherited_classes", c.inheritedClasses);
    j.attribute("inherited_classes_not_pooled", c.inheritedNotPooledClasses);
    j.attribute("pooled_sites", c.pooledSites);
    j.attribute("unsafe_fixable_sites", c.unsafeFixableSites);
  });
}

llvm::json::Value siteJson(const model::SiteRecord &r, bool direct) {
  llvm::json::Object o{{"line", r.line}, {"column", r.col}, {"rule", r.rule}, {"callable", r.callable}};
  if (direct) {
    o["kind"] = r.kind == model::SiteRecord::Kind::Reference ? "reference" : "call";
    o["fixable"] = r.fixable();
    o["fix"] = r.fixLabel();
    if (r.unsafeFix() || (r.fixable() && !r.reason.empty()))
      o["safety"] = "unsafe";
    if (!r.fixable() || !r.reason.empty())
      o["reason"] = r.reason;
    if (!r.ignore.empty())
      o["ignored"] = r.ignore == "*" ? "all rules" : r.ignore;
  }
  return llvm::json::Value(std::move(o));
}

std::string csvField(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string mdCell(const std::string &s) {
  std::string out;
  for (char c : s)
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

} // namespace

void writeJson(const Manifest &m, llvm::raw_ostream &os) {
  // Streamed, one file entry at a time: a tree of json::Values for a whole monorepo's manifest
  // would take tens of bytes per byte written. Keys come in sorted order, as json::Value prints
  // an object's, so the bytes are the same as printing the whole tree.
  llvm::json::OStream j(os, 2);
  j.objectBegin();
  j.attributeObject("categories", [&] {
    for (const auto &[name, counts] : m.categories) {
      j.attributeBegin(name);
      countsJson(j, counts);
      j.attributeEnd();
    }
  });
  j.attributeArray("files", [&] {
    for (const auto &f : m.files) {
      llvm::json::Array direct, pooled, inherited;
      for (const auto &d : f.direct)
        direct.push_back(siteJson(d, true));
      for (const auto &p : f.pooled)
        pooled.push_back(siteJson(p, false));
      for (const auto &i : f.inherited) {
        llvm::json::Object o{
            {"class", i.cls}, {"attribute", i.attr}, {"rule", i.rule}, {"base", i.base}, {"status", i.status}};
        if (!i.reason.empty())
          o["reason"] = i.reason;
        inherited.push_back(std::move(o));
      }
      j.value(llvm::json::Object{{"path", f.path},
                                 {"category", f.category},
                                 {"status", f.status},
                                 {"direct_sites", std::move(direct)},
                                 {"pooled_sites", std::move(pooled)},
                                 {"inherited", std::move(inherited)}});
    }
  });
  j.attributeArray("mock_targets", [&] {
    for (const auto &t : m.mockTargets)
      j.value(llvm::json::Object{
          {"path", t.path},
          {"line", t.line},
          {"column", t.col},
          {"target", t.target},
          {"rule", t.rule},
          {"site", llvm::json::Object{{"path", t.sitePath}, {"line", t.siteLine}, {"column", t.siteCol}}}});
  });
  j.attribute("schema_version", 1);
  if (!m.shard.empty())
    j.attribute("shard", m.shard); // manifest --merge checks that every shard of the split is there
  j.attributeBegin("summary");
  countsJson(j, m.total);
  j.attributeEnd();
  j.attribute("tool", "poolify");
  j.objectEnd();
  os << "\n";
}

std::string renderJson(const Manifest &m) {
  std::string out;
  llvm::raw_string_ostream os(out);
  writeJson(m, os);
  return os.str();
}

std::string renderMarkdown(const Manifest &m) {
  std::string out = "## poolify coverage\n\n";
  out += fmt::format(
      "**{}%** of client sites use a pool ({} pooled, {} direct, of which {} `poolify migrate` "
      "can fix{}); {} {} a pooled client{}.\n\n",
      formatPercent(m.total.coverage()), m.total.pooledSites, m.total.directSites, m.total.fixableSites,
      m.total.unsafeFixableSites ? fmt::format(" and {} more with `--unsafe-fixes`", m.total.unsafeFixableSites)
                                 : std::string(),
      m.total.inheritedClasses, m.total.inheritedClasses == 1 ? "class inherits" : "classes inherit",
      m.total.inheritedNotPooledClasses
          ? fmt::format(", {} more {} a client not known to be pooled", m.total.inheritedNotPooledClasses,
                        m.total.inheritedNotPooledClasses == 1 ? "inherits" : "inherit")
          : std::string());
  out += "| category | files | pooled | inherited | with direct sites | direct sites | fixable | pooled sites | "
         "coverage |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  auto row = [&](const std::string &name, const Counts &c) {
    out +=
        fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {}% |\n", name, c.files, c.filesPooled, c.filesInherited,
                    c.filesDirect, c.directSites, c.fixableSites, c.pooledSites, formatPercent(c.coverage()));
  };
  for (const auto &[name, c] : m.categories)
    row(mdCell(name), c);
  row("**total**", m.total);
  bool anyDirect = std::any_of(m.files.begin(), m.files.end(), [](const auto &f) { return !f.direct.empty(); });
  if (anyDirect) {
    out += "\n### Direct sites\n\n| site | rule | fix |\n|---|---|---|\n";
    for (const auto &f : m.files)
      for (const auto &d : f.direct)
        out += fmt::format("| `{}:{}:{}` | {} | {} |\n", mdCell(f.path), d.line, d.col, d.rule,
                           d.fixable() ? (d.outcome == model::Outcome::Removed ? "remove override" : "rewrite") +
                                             (d.reason.empty() ? "" : " (unsafe: " + mdCell(d.reason) + ")")
                           : d.unsafeFix() ? std::string(d.removal ? "remove override" : "rewrite") +
                                                 " with `--unsafe-fixes` (unsafe: " + mdCell(d.reason) + ")"
                                           : "left: " + mdCell(d.reason));
  }
  if (m.total.inheritedNotPooledClasses) {
    out += "\n### Inherited clients not known to be pooled\n\n| class | client | from | status | reason |\n"
           "|---|---|---|---|---|\n";
    for (const auto &f : m.files)
      for (const auto &i : f.inherited)
        if (!i.pooled())
          out += fmt::format("| `{}` {} | `{}` | {} | {} | {} |\n", mdCell(f.path), mdCell(i.cls), mdCell(i.attr),
                             mdCell(i.base), i.status, mdCell(i.reason));
  }
  if (!m.mockTargets.empty()) {
    out += "\n### Mock targets that stop intercepting after migration\n\n| patch | target | site |\n|---|---|---|\n";
    for (const auto &t : m.mockTargets)
      out += fmt::format("| `{}:{}:{}` | `{}` | `{}:{}:{}` |\n", mdCell(t.path), t.line, t.col, mdCell(t.target),
                         mdCell(t.sitePath), t.siteLine, t.siteCol);
  }
  return out;
}

std::string renderCsv(const Manifest &m) {
  std::string out = "path,category,status,kind,line,column,rule,callable,fixable,detail\n";
  for (const auto &f : m.files) {
    auto line = [&](const std::string &kind, unsigned l, unsigned c, const std::string &rule,
                    const std::string &callable, const std::string &fixable, const std::string &detail) {
      out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csvField(f.path), csvField(f.category), f.status, kind, l,
                         c, csvField(rule), csvField(callable), fixable, csvField(detail));
    };
    for (const auto &d : f.direct)
      line(d.kind == model::SiteRecord::Kind::Reference ? "direct-reference" : "direct", d.line, d.col, d.rule,
           d.callable,
           d.fixable()     ? "yes"
           : d.unsafeFix() ? "unsafe"
                           : "no",
           d.reason);
    for (const auto &p : f.pooled)
      line("pooled", p.line, p.col, p.rule, p.callable, "", "");
    for (const auto &i : f.inherited)
      line(i.pooled() ? "inherited" : "inherited-" + i.status, 0, 0, i.rule, i.cls + "." + i.attr, "",
           "from " + i.base + (i.reason.empty() ? "" : ": " + i.reason));
  }
  return out;
}

namespace {

class ManifestPrinter : public Printer {
public:
  ManifestPrinter(Format format, llvm::raw_ostream &os) : format_(format), os_(os) {}
  void finish(const Document &doc) override {
    static const Manifest empty;
    const Manifest &m = doc.manifest ? *doc.manifest : empty;
    if (format_ == Format::ManifestJson)
      writeJson(m, os_); // streamed: a large manifest is never held twice
    else
      os_ << (format_ == Format::ManifestMarkdown ? renderMarkdown(m) : renderCsv(m));
  }

private:
  Format format_;
  llvm::raw_ostream &os_;
};

} // namespace

std::unique_ptr<Printer> manifestPrinter(Format format, llvm::raw_ostream &os) {
  return std::make_unique<ManifestPrinter>(format, os);
}

} // namespace poolify::output
