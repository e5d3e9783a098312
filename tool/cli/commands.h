// The command line: one function per subcommand, each returning the process exit code
// (0 fine, 1 findings or a file that could not be processed, 2 usage or configuration error).
#pragma once

#include <string>

namespace poolify::output {
struct Manifest;
}

namespace poolify::cli {

int runMigrate();
int runRules();
int runManifest();
int runCheck();
int runReport();

/// Writes a manifest as json, markdown or csv to `file` (stdout when empty) and prints its summary
/// line; returns the exit code (2 when the file cannot be written, 1 when `failed`).
int writeManifest(const std::string &format, const output::Manifest &m, const std::string &file, bool failed);

} // namespace poolify::cli
