#include "model/outcome.h"

namespace poolify::model {

void FileOutcome::release() {
  std::string().swap(original);
  std::string().swap(updated);
  held = false;
}

std::string failureReason(std::string_view what) {
  if (what.substr(0, 7) == "error: ")
    what.remove_prefix(7);
  size_t cut = what.rfind("; file ");
  return std::string(what.substr(0, cut));
}

std::string withConsequence(std::string_view text, std::string_view consequence) {
  size_t cut = text.rfind("; file ");
  if (cut == std::string_view::npos)
    return std::string(text);
  return std::string(text.substr(0, cut)) + "; " + std::string(consequence);
}

} // namespace poolify::model
