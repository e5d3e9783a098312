// One replacement in a file's bytes: the `length` bytes at `offset` become `text`.
#pragma once

#include <cstddef>
#include <string>

namespace poolify::model {

struct Edit {
  size_t offset;
  size_t length;
  std::string text;
};

} // namespace poolify::model
