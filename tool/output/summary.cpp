#include "output/summary.h"

#include "support/text.h"

#include <fmt/format.h>

#include <tuple>

namespace poolify::output {

namespace {

// ", retargeted N test patches (M need a hand fix)", or nothing when there were none.
std::string patchesSummary(const model::MigrateTally &t) {
  if (!t.patches && !t.patchesLeft)
    return std::string();
  return fmt::format(", retargeted {}{}", counted(t.patches, "test patch", "test patches"),
                     t.patchesLeft
                         ? fmt::format(" ({} need{} a hand fix)", t.patchesLeft, t.patchesLeft == 1 ? "s" : "")
                         : std::string());
}

} // namespace

std::string migrateSummary(const model::MigrateTally &t, size_t scanned, bool wrote) {
  return fmt::format("poolify: scanned {}, {} {}, rewrote {}, removed {}, left {}{}{}{}\n", counted(scanned, "file"),
                     wrote ? "changed" : "would change", t.changed, counted(t.rewritten, "site"),
                     counted(t.removed, "override"), counted(t.left, "site"),
                     t.unsafe ? fmt::format(" ({} of them fixable with --unsafe-fixes)", t.unsafe) : std::string(),
                     patchesSummary(t),
                     t.errors ? fmt::format(", {} with errors", counted(t.errors, "file")) : std::string());
}

namespace {
// "3 direct sites", "1 file that could not be analyzed", "2 direct sites and 1 file that could not be
// analyzed" (`verb`: with its verb, "fails" for one thing and "fail" for more).
std::string sitesAndFiles(unsigned sites, unsigned files, bool verb) {
  auto file = [&](unsigned n) {
    return counted(n, "file that could not be analyzed", "files that could not be analyzed");
  };
  std::string what = files == 0   ? counted(sites, "direct site")
                     : sites == 0 ? file(files)
                                  : fmt::format("{} and {}", counted(sites, "direct site"), file(files));
  return verb ? what + (sites + files == 1 ? " fails" : " fail") : what;
}
} // namespace

std::string checkResult(const model::CheckTotals &t) {
  return fmt::format("{} the check, {} ({} in the baseline, {} ignored by comment){}",
                     sitesAndFiles(t.errors - t.unanalyzable, t.unanalyzable, true), counted(t.warnings, "warning"),
                     t.baselined, t.ignored,
                     t.unsafeFixable ? fmt::format("; {} more fixable with --unsafe-fixes", t.unsafeFixable)
                                     : std::string());
}

std::string reportSummary(const ReportWritten &written, const model::ChangeTotals &totals,
                          const model::Manifest &before, const model::Manifest &after) {
  std::string files = written.mainPath;
  if (written.pages)
    files += fmt::format(" and {} of diffs beside it ({}{})", counted(written.pages, "page"), written.firstPage,
                         written.pages > 1 ? " to " + written.lastPage : "");
  return fmt::format("poolify: wrote {} ({} would change, {} left; coverage {}% now, {}% after "
                     "migrate)\n",
                     files, counted(totals.changed, "file"), counted(totals.left, "site"),
                     model::formatPercent(before.total.coverage()), model::formatPercent(after.total.coverage()));
}

std::string manifestSummary(const model::Manifest &m, bool failed) {
  return fmt::format("poolify: {} clients: {} ({} fixable), {}, "
                     "{} inherited; coverage {}%{}\n",
                     counted(m.total.files, "file uses", "files use"), counted(m.total.directSites, "direct site"),
                     m.total.fixableSites, counted(m.total.pooledSites, "pooled site"), m.total.inheritedClasses,
                     model::formatPercent(m.total.coverage()),
                     failed ? "; some files could not be analyzed (see above)" : "");
}

std::string baselineSummary(const model::Baseline &b, const std::string &path) {
  unsigned sites = 0, files = 0;
  for (const auto &entry : b.entries) {
    const std::string &rule = std::get<1>(entry.first);
    (rule == "syntax" || rule == "unanalyzable" ? files : sites) += entry.second;
  }
  return fmt::format("poolify: wrote a baseline of {} to {}\n", sitesAndFiles(sites, files, false), path);
}

std::string missingPoolsSummary(const std::map<std::string, unsigned> &missing) {
  std::string out;
  for (const auto &entry : missing) {
    unsigned sites = entry.second;
    out += fmt::format("poolify: {} left because {} is not importable where {} run{}; `poolify pools "
                       "init` writes it\n",
                       counted(sites, "site"), entry.first, sites == 1 ? "it" : "they", sites == 1 ? "s" : "");
  }
  return out;
}

std::string poolWrittenSummary(const std::string &module, const std::string &where, const std::string &rule,
                               const std::string &templatePath, size_t files) {
  return fmt::format("poolify: wrote {} for {} ({} rule, from {}): {} file{}\n", module, where, rule, templatePath,
                     files, files == 1 ? "" : "s");
}

} // namespace poolify::output
