#include "rules/embedded.h"

#include <system_error>

namespace poolify::rules {

namespace {
std::vector<EmbeddedFile> files(const generated::EmbeddedBytes *table, unsigned count) {
  std::vector<EmbeddedFile> out;
  out.reserve(count);
  for (unsigned i = 0; i < count; ++i)
    out.push_back({table[i].name, std::string_view(reinterpret_cast<const char *>(table[i].data), table[i].size)});
  return out;
}
} // namespace

std::vector<EmbeddedFile> embeddedRuleFiles() { return files(generated::kRuleFiles, generated::kRuleFileCount); }

std::vector<EmbeddedFile> embeddedTemplates() {
  return files(generated::kTemplateFiles, generated::kTemplateFileCount);
}

std::optional<std::string_view> embeddedTemplate(std::string_view name) {
  for (const auto &f : embeddedTemplates())
    if (f.name == name)
      return f.text;
  return std::nullopt;
}

std::string_view embeddedRulesHash() { return generated::kRulesHash; }

bool isEmbeddedPath(std::string_view path) {
  return path.substr(0, kEmbeddedDir.size()) == kEmbeddedDir &&
         (path.size() == kEmbeddedDir.size() || path[kEmbeddedDir.size()] == '/');
}

llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> readRuleSource(const std::string &path) {
  if (!isEmbeddedPath(path))
    return llvm::MemoryBuffer::getFile(path);
  std::string_view name = std::string_view(path).substr(std::min(path.size(), kEmbeddedDir.size() + 1));
  for (const auto &f : embeddedRuleFiles())
    if (f.name == name)
      return llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(f.text.data(), f.text.size()), path, false);
  return std::make_error_code(std::errc::no_such_file_or_directory);
}

llvm::Expected<std::vector<Rule>> loadEmbeddedRules() { return loadRules({std::string(kEmbeddedDir)}); }

} // namespace poolify::rules
