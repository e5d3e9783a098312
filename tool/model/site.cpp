#include "model/site.h"

namespace poolify::model {

std::string SiteRecord::fixLabel() const {
  if (outcome == Outcome::Removed)
    return "remove redundant override";
  if (fixable())
    return "rewrite";
  if (unsafeFix())
    return removal ? "remove override with --unsafe-fixes" : "rewrite with --unsafe-fixes";
  return "none";
}

bool SiteRecord::ignoredFor(const std::string &ruleId) const { return ignoreCovers(ignore, ruleId); }

bool ignoreCovers(const std::string &ignore, const std::string &ruleId) {
  if (ignore.empty())
    return false;
  if (ignore == "*")
    return true;
  size_t i = 0;
  while (i <= ignore.size()) {
    size_t j = ignore.find(',', i);
    if (j == std::string::npos)
      j = ignore.size();
    if (ignore.compare(i, j - i, ruleId) == 0 && j - i == ruleId.size())
      return true;
    i = j + 1;
  }
  return false;
}

std::optional<std::string> SiteRecord::missingPool() const {
  static const std::string prefix = "pool module ", suffix = " is not importable from ";
  size_t end = reason.find(suffix);
  if (reason.compare(0, prefix.size(), prefix) != 0 || end == std::string::npos)
    return std::nullopt;
  return reason.substr(prefix.size(), end - prefix.size());
}

} // namespace poolify::model
