#include "rewrite/edits.h"

#include <clang/Tooling/Core/Replacement.h>

#include <algorithm>
#include <fmt/format.h>

namespace poolify::rewrite {

std::vector<model::Edit> EditSet::joined() const {
  // Stable sort keeps the order of insertions made at one offset.
  std::vector<model::Edit> sorted = edits_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const model::Edit &a, const model::Edit &b) { return a.offset < b.offset; });
  std::vector<model::Edit> joined;
  for (const model::Edit &e : sorted) {
    if (!joined.empty()) {
      model::Edit &prev = joined.back();
      size_t prevEnd = prev.offset + prev.length;
      bool touches = e.offset == prevEnd && (e.length == 0 || prev.length == 0);
      if (touches) {
        prev.length += e.length;
        prev.text += e.text;
        continue;
      }
    }
    joined.push_back(e);
  }
  return joined;
}

llvm::Expected<std::string> EditSet::apply(std::string_view code, const std::string &path) const {
  clang::tooling::Replacements reps;
  for (const model::Edit &e : joined()) {
    if (e.offset + e.length > code.size())
      return llvm::createStringError(std::errc::invalid_argument, "%s: internal error: edit past end of file",
                                     path.c_str());
    if (auto err = reps.add(clang::tooling::Replacement(path, e.offset, e.length, e.text)))
      return llvm::createStringError(std::errc::invalid_argument, "%s: conflicting edits: %s", path.c_str(),
                                     llvm::toString(std::move(err)).c_str());
  }
  return clang::tooling::applyAllReplacements(llvm::StringRef(code.data(), code.size()), reps);
}

} // namespace poolify::rewrite
