// The coverage manifest as data: what every file does with clients (direct sites, pooled sites,
// classes inheriting a pooled client), counted per category and in total. A measurement, built
// from the outcomes of a run; deterministic (sorted by path and category name).
#pragma once

#include "model/outcome.h"

#include <cstddef>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace poolify::model {

/// A file's sites in a manifest, in order: views of a run's site records (viewManifest), or records
/// of its own (a manifest built from outcomes that do not outlive it, or read back from JSON). A
/// run's manifest is written at the end of the run, its peak of memory: it does not copy every record.
class SiteList {
public:
  class const_iterator { // NOLINT(readability-identifier-naming): a standard container's name
  public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = SiteRecord;
    using difference_type = std::ptrdiff_t;
    using pointer = const SiteRecord *;
    using reference = const SiteRecord &;
    explicit const_iterator(std::vector<const SiteRecord *>::const_iterator it) : it_(it) {}
    const SiteRecord &operator*() const { return **it_; }
    const SiteRecord *operator->() const { return *it_; }
    const_iterator &operator++() {
      ++it_;
      return *this;
    }
    difference_type operator-(const const_iterator &o) const { return it_ - o.it_; }
    bool operator==(const const_iterator &o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator &o) const { return it_ != o.it_; }

  private:
    std::vector<const SiteRecord *>::const_iterator it_;
  };

  /// Adds a view of `r`, which must outlive the list and keep its place.
  void view(const SiteRecord &r) { sites_.push_back(&r); }
  /// Adds a record of the list's own (shared by the list's copies).
  void own(SiteRecord r);
  size_t size() const { return sites_.size(); }
  bool empty() const { return sites_.empty(); }
  const SiteRecord &operator[](size_t i) const { return *sites_[i]; }
  const_iterator begin() const { return const_iterator(sites_.begin()); }
  const_iterator end() const { return const_iterator(sites_.end()); }

private:
  std::vector<const SiteRecord *> sites_;
  std::shared_ptr<std::deque<SiteRecord>> owned_; // a deque: its records never move
};

struct ManifestFile {
  // status: direct (has direct sites) | pooled (pooled sites only) | inherited (a class inherits a
  // pooled client) | inherited-direct / inherited-unknown (its classes inherit only clients that are
  // direct, or that cannot be told to be set: see Inherited::reason)
  std::string path, category, status;
  SiteList direct, pooled;
  std::vector<Inherited> inherited;
};

struct Counts {
  unsigned files = 0, filesPooled = 0, filesInherited = 0, filesDirect = 0;
  unsigned directSites = 0, fixableSites = 0, pooledSites = 0;
  unsigned inheritedClasses = 0;          // classes that inherit a pooled client
  unsigned inheritedNotPooledClasses = 0; // classes that inherit a client not known to be pooled
  unsigned unsafeFixableSites = 0;        // direct sites `migrate --unsafe-fixes` rewrites, a plain run leaves
  double coverage() const;                // percent of pooled among pooled + direct sites (100 when none)
};

struct Manifest {
  std::vector<ManifestFile> files;
  std::map<std::string, Counts> categories;
  Counts total;
  std::vector<MockTarget> mockTargets;
  std::string shard; // "K/N" for the manifest of one --shard run; "" for a whole run (and a merge)
};

/// The manifest of `outcomes` (`categories[i]` and `inherited[i]` belong to outcome i), with copies
/// of their site records.
Manifest buildManifest(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                       const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets = {});
/// The same, viewing the outcomes' site records: `outcomes` must outlive the manifest, unchanged.
Manifest viewManifest(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                      const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets = {});

/// Sorts and recomputes the per-category and total counts from the files.
void recount(Manifest &m);

/// One decimal, rounded down, so 99.96% never shows as 100.0%.
std::string formatPercent(double pct);

} // namespace poolify::model
