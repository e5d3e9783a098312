// Edits of one buffer as values. Touching edits (an insertion at the end of a deletion, two
// insertions at one offset) are joined in the order they were added; overlapping edits are a
// conflict, never silently merged (clang::tooling::Replacements decides), then applied in one pass.
#pragma once

#include "model/edit.h"

#include <llvm/Support/Error.h>

#include <string>
#include <string_view>
#include <vector>

namespace poolify::rewrite {

class EditSet {
public:
  void replace(size_t offset, size_t length, std::string text) { edits_.push_back({offset, length, std::move(text)}); }
  void insert(size_t offset, std::string text) { replace(offset, 0, std::move(text)); }
  void append(const EditSet &other) { edits_.insert(edits_.end(), other.edits_.begin(), other.edits_.end()); }
  bool empty() const { return edits_.empty(); }
  /// The edits as added (apply() sorts and joins them).
  const std::vector<model::Edit> &edits() const { return edits_; }
  /// Applies every edit to `code`; an error names the two edits that overlap.
  llvm::Expected<std::string> apply(std::string_view code, const std::string &path) const;
  /// The edits as apply() applies them: sorted by offset, touching ones joined in the order they
  /// were added (for an incremental re-parse of the result).
  std::vector<model::Edit> joined() const;

private:
  std::vector<model::Edit> edits_;
};

} // namespace poolify::rewrite
