// The command line: one function per subcommand, each returning the process exit code
// (0 fine, 1 findings or a file that could not be processed, 2 usage or configuration error).
#pragma once

namespace poolify::cli {

int runMigrate();
int runRules();
int runManifest();
int runCheck();
int runReport();

} // namespace poolify::cli
