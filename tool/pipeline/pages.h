// The HTML report's diff pages, named after the main page ("report.html": "report-diffs-1.html",
// ...) and written beside it. A page is written whole or not at all; the main page only after its
// pages; the pages an earlier, larger report left are removed afterwards.
#pragma once

#include "pipeline/migrate.h"

#include <string>
#include <utility>
#include <vector>

namespace poolify::pipeline {

class ReportPages {
public:
  explicit ReportPages(const std::string &mainPath);

  /// Standard output or a device gets one page, whatever its size.
  static bool possible(const std::string &mainPath);

  /// Page k's file name (k from 1); 0 is the main page's.
  std::string name(size_t k) const;

  void add(const std::string &name, const std::string &html) { pages_.emplace_back(name, html); }
  size_t count() const { return pages_.size(); }

  /// Writes the pages; false (having said why) when one could not be written.
  bool write(const Say &say) const;

  /// Removes the diff pages an earlier, larger report left after the last one written now: only
  /// files of that name that poolify wrote (its generator line), so a file of the user's stays.
  void removeStale() const;

private:
  std::string path(const std::string &name) const;

  std::string folder_, mainName_, stem_;
  std::vector<std::pair<std::string, std::string>> pages_;
};

} // namespace poolify::pipeline
