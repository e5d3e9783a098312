// A reason poolify does not handle a Python text: where (a byte offset into the text given) and
// what, as one line the caller prefixes with `path:line:col: error: `.
#pragma once

#include <cstddef>
#include <string>

namespace poolify::py {

struct Problem {
  size_t offset = 0;
  std::string message;
};

} // namespace poolify::py
