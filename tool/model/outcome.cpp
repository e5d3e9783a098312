#include "model/outcome.h"

namespace poolify::model {

void FileOutcome::release() {
  std::string().swap(original);
  std::string().swap(updated);
  held = false;
}

} // namespace poolify::model
