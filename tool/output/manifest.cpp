#include "output/manifest.h"

#include <llvm/Support/JSON.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <cmath>

namespace poolify::output {

using pipeline::SiteRecord;

double Counts::coverage() const {
  unsigned all = pooledSites + directSites;
  return all == 0 ? 100.0 : 100.0 * pooledSites / all;
}

std::string formatPercent(double pct) { return fmt::format("{:.1f}", std::floor(pct * 10 + 1e-9) / 10); }

Manifest buildManifest(const std::vector<pipeline::FileOutcome> &outcomes, const std::vector<std::string> &categories,
                       const std::vector<std::vector<index::ClassIndex::Inherited>> &inherited) {
  Manifest m;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto &o = outcomes[i];
    ManifestFile f;
    f.path = o.file.display;
    f.category = categories[i];
    for (const auto &r : o.records) {
      if (r.kind == SiteRecord::Kind::Direct || r.kind == SiteRecord::Kind::Reference)
        f.direct.push_back(r);
      else if (r.kind == SiteRecord::Kind::Pooled)
        f.pooled.push_back(r);
    }
    if (i < inherited.size())
      f.inherited = inherited[i];
    if (f.direct.empty() && f.pooled.empty() && f.inherited.empty())
      continue;
    f.status = !f.direct.empty() ? "direct" : !f.pooled.empty() ? "pooled" : "inherited";
    for (Counts *c : {&m.categories[f.category], &m.total}) {
      ++c->files;
      (f.status == "direct" ? c->filesDirect : f.status == "pooled" ? c->filesPooled : c->filesInherited)++;
      c->directSites += f.direct.size();
      c->pooledSites += f.pooled.size();
      c->inheritedClasses += f.inherited.size();
      for (const auto &d : f.direct)
        c->fixableSites += d.fixable();
    }
    m.files.push_back(std::move(f));
  }
  std::sort(m.files.begin(), m.files.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
  m.mockTargets = findMockTargets(outcomes);
  return m;
}

std::vector<MockTarget> findMockTargets(const std::vector<pipeline::FileOutcome> &outcomes) {
  std::vector<MockTarget> out;
  std::vector<std::string> dotted;
  for (const auto &o : outcomes)
    dotted.push_back(index::ClassIndex::dottedPath(o.file.display));
  for (const auto &test : outcomes) {
    for (const auto &mock : test.mocks) {
      // The first rewritable site the target names (files in path order, sites in line order).
      for (size_t i = 0; i < outcomes.size(); ++i) {
        const SiteRecord *hit = nullptr;
        for (const auto &r : outcomes[i].records) {
          if (r.kind != SiteRecord::Kind::Direct || !r.fixable())
            continue;
          if (mock.object) {
            if (r.callable == mock.target)
              hit = &r;
          } else if (mock.target.size() > r.callee.size() + 1 &&
                     mock.target.compare(mock.target.size() - r.callee.size(), r.callee.size(), r.callee) == 0 &&
                     mock.target[mock.target.size() - r.callee.size() - 1] == '.') {
            std::string module = mock.target.substr(0, mock.target.size() - r.callee.size() - 1);
            const std::string &d = dotted[i];
            if (d == module || (d.size() > module.size() && d.compare(d.size() - module.size(), module.size(), module) == 0 &&
                                d[d.size() - module.size() - 1] == '.'))
              hit = &r;
          }
          if (hit)
            break;
        }
        if (hit) {
          out.push_back({test.file.display, mock.line, mock.col, mock.target, outcomes[i].file.display, hit->line,
                         hit->col, hit->rule});
          break;
        }
      }
    }
  }
  return out;
}

namespace {

llvm::json::Object countsJson(const Counts &c) {
  return llvm::json::Object{
      {"files", c.files},
      {"files_pooled", c.filesPooled},
      {"files_inherited", c.filesInherited},
      {"files_with_direct_sites", c.filesDirect},
      {"direct_sites", c.directSites},
      {"fixable_sites", c.fixableSites},
      {"pooled_sites", c.pooledSites},
      {"inherited_classes", c.inheritedClasses},
      {"coverage_percent", std::floor(c.coverage() * 10 + 1e-9) / 10},
  };
}

llvm::json::Value siteJson(const SiteRecord &r, bool direct) {
  llvm::json::Object o{{"line", r.line}, {"column", r.col}, {"rule", r.rule}, {"callable", r.callable}};
  if (direct) {
    o["kind"] = r.kind == SiteRecord::Kind::Reference ? "reference" : "call";
    o["fixable"] = r.fixable();
    o["fix"] = r.outcome == rewrite::SiteDecision::Outcome::Removed ? "remove redundant override"
               : r.fixable()                                        ? "rewrite"
                                                                    : "none";
    if (!r.fixable())
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

std::string renderJson(const Manifest &m) {
  llvm::json::Array files;
  for (const auto &f : m.files) {
    llvm::json::Array direct, pooled, inherited;
    for (const auto &d : f.direct)
      direct.push_back(siteJson(d, true));
    for (const auto &p : f.pooled)
      pooled.push_back(siteJson(p, false));
    for (const auto &i : f.inherited)
      inherited.push_back(
          llvm::json::Object{{"class", i.cls}, {"attribute", i.attr}, {"rule", i.rule}, {"base", i.base}});
    files.push_back(llvm::json::Object{{"path", f.path},
                                       {"category", f.category},
                                       {"status", f.status},
                                       {"direct_sites", std::move(direct)},
                                       {"pooled_sites", std::move(pooled)},
                                       {"inherited", std::move(inherited)}});
  }
  llvm::json::Object cats;
  for (const auto &[name, c] : m.categories)
    cats[name] = countsJson(c);
  llvm::json::Array mocks;
  for (const auto &t : m.mockTargets)
    mocks.push_back(llvm::json::Object{{"path", t.path},
                                       {"line", t.line},
                                       {"column", t.col},
                                       {"target", t.target},
                                       {"rule", t.rule},
                                       {"site", llvm::json::Object{{"path", t.sitePath},
                                                                   {"line", t.siteLine},
                                                                   {"column", t.siteCol}}}});
  llvm::json::Object root{{"schema_version", 1},
                          {"tool", "poolify"},
                          {"summary", countsJson(m.total)},
                          {"categories", std::move(cats)},
                          {"files", std::move(files)},
                          {"mock_targets", std::move(mocks)}};
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return os.str();
}

std::string renderMarkdown(const Manifest &m) {
  std::string out = "## poolify coverage\n\n";
  out += fmt::format("**{}%** of client sites use a pool ({} pooled, {} direct, of which {} `poolify migrate` "
                     "can fix); {} classes inherit a pooled client.\n\n",
                     formatPercent(m.total.coverage()), m.total.pooledSites, m.total.directSites, m.total.fixableSites,
                     m.total.inheritedClasses);
  out += "| category | files | pooled | inherited | with direct sites | direct sites | fixable | pooled sites | "
         "coverage |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  auto row = [&](const std::string &name, const Counts &c) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {}% |\n", name, c.files, c.filesPooled,
                       c.filesInherited, c.filesDirect, c.directSites, c.fixableSites, c.pooledSites,
                       formatPercent(c.coverage()));
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
                           d.fixable() ? (d.outcome == rewrite::SiteDecision::Outcome::Removed ? "remove override"
                                                                                                : "rewrite")
                                       : "left: " + mdCell(d.reason));
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
      line(d.kind == SiteRecord::Kind::Reference ? "direct-reference" : "direct", d.line, d.col, d.rule, d.callable,
           d.fixable() ? "yes" : "no", d.fixable() ? "" : d.reason);
    for (const auto &p : f.pooled)
      line("pooled", p.line, p.col, p.rule, p.callable, "", "");
    for (const auto &i : f.inherited)
      line("inherited", 0, 0, i.rule, i.cls + "." + i.attr, "", "from " + i.base);
  }
  return out;
}

} // namespace poolify::output
