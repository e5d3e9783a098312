// The command line: one function per subcommand, each returning the process exit code
// (0 fine, 1 findings or a file that could not be processed, 2 usage or configuration error).
#pragma once

#include "model/manifest.h"
#include "output/printer.h"
#include "pipeline/engine.h"

#include <string>

namespace poolify::cli {

int runMigrate();
int runRules();
int runManifest();
int runCheck();
int runReport();
int runPools();

/// Writes a manifest in `format` to `file` (stdout when empty) and prints its summary line;
/// returns the exit code (2 when the file cannot be written, 1 when `failed`).
int writeManifest(const pipeline::Run &run, output::Format format, const model::Manifest &m, const std::string &file,
                  bool failed);

} // namespace poolify::cli
