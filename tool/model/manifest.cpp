#include "model/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace poolify::model {

double Counts::coverage() const {
  unsigned all = pooledSites + directSites;
  return all == 0 ? 100.0 : 100.0 * pooledSites / all;
}

std::string formatPercent(double pct) { return fmt::format("{:.1f}", std::floor(pct * 10 + 1e-9) / 10); }

void SiteList::own(SiteRecord r) {
  if (!owned_)
    owned_ = std::make_shared<std::deque<SiteRecord>>();
  owned_->push_back(std::move(r));
  sites_.push_back(&owned_->back());
}

namespace {
Manifest manifestOf(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                    const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets,
                    bool views) {
  Manifest m;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const auto &o = outcomes[i];
    ManifestFile f;
    f.path = o.file->display();
    f.category = categories[i];
    for (const auto &r : o.records) {
      SiteList *list = r.isDirect() ? &f.direct : r.kind == SiteRecord::Kind::Pooled ? &f.pooled : nullptr;
      if (list && views)
        list->view(r);
      else if (list)
        list->own(r);
    }
    if (i < inherited.size())
      f.inherited = inherited[i];
    if (f.direct.empty() && f.pooled.empty() && f.inherited.empty())
      continue;
    m.files.push_back(std::move(f));
  }
  m.mockTargets = std::move(mockTargets);
  recount(m);
  return m;
}
} // namespace

Manifest buildManifest(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                       const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets) {
  return manifestOf(outcomes, categories, inherited, std::move(mockTargets), false);
}

Manifest viewManifest(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                      const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets) {
  return manifestOf(outcomes, categories, inherited, std::move(mockTargets), true);
}

void recount(Manifest &m) {
  m.categories.clear();
  m.total = Counts{};
  std::sort(m.files.begin(), m.files.end(), [](const auto &a, const auto &b) { return a.path < b.path; });
  for (auto &f : m.files) {
    bool pooledInherited =
        std::any_of(f.inherited.begin(), f.inherited.end(), [](const Inherited &i) { return i.pooled(); });
    bool directInherited =
        std::any_of(f.inherited.begin(), f.inherited.end(), [](const Inherited &i) { return i.status == "direct"; });
    f.status = !f.direct.empty()   ? "direct"
               : !f.pooled.empty() ? "pooled"
               : pooledInherited   ? "inherited"
               : directInherited   ? "inherited-direct"
                                   : "inherited-unknown";
    for (Counts *c : {&m.categories[f.category], &m.total}) {
      ++c->files;
      if (f.status == "direct")
        ++c->filesDirect;
      else if (f.status == "pooled")
        ++c->filesPooled;
      else if (f.status == "inherited")
        ++c->filesInherited;
      c->directSites += f.direct.size();
      c->pooledSites += f.pooled.size();
      for (const auto &i : f.inherited)
        ++(i.pooled() ? c->inheritedClasses : c->inheritedNotPooledClasses);
      for (const auto &d : f.direct)
        c->fixableSites += d.fixable(), c->unsafeFixableSites += d.unsafeFix();
    }
  }
  std::sort(m.mockTargets.begin(), m.mockTargets.end(), [](const MockTarget &a, const MockTarget &b) {
    return std::tie(a.path, a.line, a.col, a.target) < std::tie(b.path, b.line, b.col, b.target);
  });
}

} // namespace poolify::model
