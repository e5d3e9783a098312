// The shipped rules (rules/*.yaml) and pool templates (rules/templates/*.py), compiled into the
// binary at build time (cmake/embed_files.cmake), so that a copied, installed or unpacked poolify
// needs no file beside it. The rules are read through the pseudo-folder `<embedded>`: a rule file
// is `<embedded>/bigquery.yaml` in every message, and `--rules '<embedded>'` names the set.
#pragma once

#include "rules/rule.h"

#include <llvm/Support/ErrorOr.h>
#include <llvm/Support/MemoryBuffer.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::rules {

inline constexpr std::string_view kEmbeddedDir = "<embedded>";

struct EmbeddedFile {
  std::string_view name; // file name: "bigquery.yaml", "bigquery_pool.py"
  std::string_view text; // its bytes
};

/// The rule files, in name order.
std::vector<EmbeddedFile> embeddedRuleFiles();
/// The pool templates, in name order.
std::vector<EmbeddedFile> embeddedTemplates();
/// One pool template by file name ("bigquery_pool.py"); nullopt when there is none of that name.
std::optional<std::string_view> embeddedTemplate(std::string_view name);
/// SHA-256 (hex) of the rule files: of the lines "<sha256 of the file>  <name>\n" in name order,
/// i.e. `cd rules && sha256sum *.yaml | sha256sum` on the sources the binary was built from.
std::string_view embeddedRulesHash();

/// True for `<embedded>` and for paths under it.
bool isEmbeddedPath(std::string_view path);
/// The bytes of a rule file: `<embedded>/NAME` from the binary, any other path from disk.
llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> readRuleSource(const std::string &path);
/// The embedded rule set, loaded and validated like rule files on disk.
llvm::Expected<std::vector<Rule>> loadEmbeddedRules();

namespace generated { // defined in the generated source
struct EmbeddedBytes {
  const char *name;
  const unsigned char *data;
  unsigned long size;
};
extern const EmbeddedBytes kRuleFiles[];
extern const unsigned kRuleFileCount;
extern const EmbeddedBytes kTemplateFiles[];
extern const unsigned kTemplateFileCount;
extern const char kRulesHash[];
} // namespace generated

} // namespace poolify::rules
