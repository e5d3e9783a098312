// The HTML report: one self-contained file (no network, no external assets) for reviewers:
// a coverage overview with an inline-SVG chart per category, every changed file's diff with
// syntax colouring and links from the summary, and every site left with its reason.
#pragma once

#include "output/manifest.h"

#include <string>
#include <vector>

namespace poolify::output {

struct ReportDiff {
  std::string path; // display path
  std::string diff; // unified diff of what `poolify migrate` would change
  unsigned rewritten = 0, removed = 0;
};

struct ReportLeft {
  std::string path;
  unsigned line = 0, col = 0;
  std::string rule, reason;
};

struct ReportData {
  Manifest before; // coverage now
  Manifest after;  // coverage once the diffs are applied
  std::vector<ReportDiff> diffs;  // sorted by path
  std::vector<ReportLeft> left;   // sorted by path, line, column
  std::string title;              // "poolify report: <paths>"
};

std::string renderReport(const ReportData &data);

} // namespace poolify::output
