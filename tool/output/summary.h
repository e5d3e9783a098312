// The one-line summaries commands print on stderr when they are done (migrate, check, report,
// manifest, pools init), worded from the totals the run counted (model/summary.h). Each is the
// whole line, with its newline.
#pragma once

#include "model/finding.h"
#include "model/manifest.h"
#include "model/summary.h"

#include <map>
#include <string>
#include <vector>

namespace poolify::output {

/// "poolify: scanned N files, changed M, rewrote ..." — `wrote`: --apply or --commit (else "would change").
std::string migrateSummary(const model::MigrateTally &t, size_t scanned, bool wrote);

/// "N direct sites fail the check, M warnings (...)" — the check's result, without "poolify: " or a
/// newline (it is also the sentence of the --summary-markdown document).
std::string checkResult(const model::CheckTotals &t);

/// The report's line: the files written (`pages` diff pages named `firstPage` to `lastPage` beside
/// `mainPath`), what would change, and the coverage now and after migrate.
struct ReportWritten {
  std::string mainPath;
  size_t pages = 0;
  std::string firstPage, lastPage;
};
std::string reportSummary(const ReportWritten &written, const model::ChangeTotals &totals,
                          const model::Manifest &before, const model::Manifest &after);

/// `manifest`'s line: clients, direct, fixable and pooled sites, inherited classes, coverage.
std::string manifestSummary(const model::Manifest &m, bool failed);

/// check --write-baseline's line: how many direct sites the baseline written to `path` holds.
std::string baselineSummary(const model::Baseline &b, const std::string &path);

/// One line per pool module sites were left for (model::missingPools), naming `poolify pools init`.
std::string missingPoolsSummary(const std::map<std::string, unsigned> &missing);

/// `pools init`'s line for one module written: where, for which rule, from which template, how many files.
std::string poolWrittenSummary(const std::string &module, const std::string &where, const std::string &rule,
                               const std::string &templatePath, size_t files);

} // namespace poolify::output
