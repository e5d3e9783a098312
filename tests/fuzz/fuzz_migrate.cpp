// libFuzzer target over the whole per-file path (decode -> parse -> scopes -> sites -> plan ->
// edits -> re-parse) with the shipped rules. Properties checked on every input:
//   - no crash and no sanitizer report (the build adds ASan and UBSan);
//   - a rewritten file parses with no error (the input parsed cleanly, or it is not rewritten);
//   - a second pass over the output changes nothing.
// Run with scripts/fuzz.sh SECONDS.
#include "pipeline/process.h"
#include "python/syntax.h"

#include <cstdio>
#include <cstdlib>

using namespace poolify;

namespace {
const std::vector<rules::Rule> &shippedRules() {
  static const std::vector<rules::Rule> rules = [] {
    auto loaded = rules::loadRules({POOLIFY_SOURCE_RULES_DIR});
    if (!loaded) {
      std::fprintf(stderr, "%s\n", llvm::toString(loaded.takeError()).c_str());
      std::abort();
    }
    return std::move(*loaded);
  }();
  return rules;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const auto &rules = shippedRules();
  source::SourceFile file{"fuzz/module.py", "fuzz/module.py"};
  std::string text(reinterpret_cast<const char *>(data), size);
  pipeline::FileOutcome first = pipeline::processText(file, text, rules);
  if (first.failed || first.updated == text)
    return 0;
  std::string_view body = first.updated;
  if (body.substr(0, 3) == "\xEF\xBB\xBF")
    body.remove_prefix(3);
  py::Tree after = py::Tree::parse(body);
  if (after.firstError()) {
    std::fprintf(stderr, "rewrite produced a syntax error\n--- input\n%s\n--- output\n%s\n", text.c_str(),
                 first.updated.c_str());
    std::abort();
  }
  pipeline::FileOutcome second = pipeline::processText(file, first.updated, rules);
  if (!second.failed && second.updated != first.updated) {
    std::fprintf(stderr, "second pass changed the output\n--- first\n%s\n--- second\n%s\n", first.updated.c_str(),
                 second.updated.c_str());
    std::abort();
  }
  return 0;
}
