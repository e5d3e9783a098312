#include "model/outcome.h"

#include <cctype>

namespace poolify::model {

void FileOutcome::release() {
  std::string().swap(original);
  std::string().swap(updated);
  held = false;
}

std::string failureReason(std::string_view what) {
  if (what.substr(0, 7) == "error: ")
    what.remove_prefix(7);
  size_t cut = what.rfind("; file ");
  return std::string(what.substr(0, cut));
}

std::string withConsequence(std::string_view text, std::string_view consequence) {
  size_t cut = text.rfind("; file ");
  if (cut == std::string_view::npos)
    return std::string(text);
  return std::string(text.substr(0, cut)) + "; " + std::string(consequence);
}

ImportedModules::ImportedModules(const std::vector<std::pair<uint32_t, std::string>> &pairs) {
  for (const auto &[dots, name] : pairs)
    add(dots, name);
  shrink();
}

void ImportedModules::add(uint32_t dots, std::string_view name) {
  data_ += std::to_string(dots);
  data_ += '\t';
  for (char c : name)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '\\')
      data_ += c;
  data_ += '\n';
}

std::vector<std::pair<uint32_t, std::string>> ImportedModules::entries() const {
  std::vector<std::pair<uint32_t, std::string>> out;
  forEach([&](uint32_t dots, std::string_view name) { out.emplace_back(dots, std::string(name)); });
  return out;
}

} // namespace poolify::model
