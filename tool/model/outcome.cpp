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

} // namespace poolify::model
