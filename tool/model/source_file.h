// A file of a run: the path it is opened by and the path users see.
#pragma once

#include <string>

namespace poolify::model {

struct SourceFile {
  std::string path;    // as opened
  std::string display; // relative to the current directory when under it, '/' separators
};

} // namespace poolify::model
