// Running git for the commands that need it (`migrate --commit`): a command's exit code and
// standard output, never through a shell.
#pragma once

#include <string>
#include <vector>

namespace poolify::source {

struct GitResult {
  int code = -1;      // -1 when git could not be started
  std::string output; // standard output
  std::string error;  // standard error
};

GitResult runGit(const std::vector<std::string> &args, const std::string &dir = ".");

} // namespace poolify::source
