#include "model/classes.h"

namespace poolify::model {

ImportTable::ImportTable(const std::vector<std::pair<std::string, std::string>> &sorted) {
  for (const auto &[name, qname] : sorted)
    data_ += name + '\t' + qname + '\n';
  data_.shrink_to_fit();
}

std::optional<std::string_view> ImportTable::find(std::string_view name) const {
  std::string_view d = data_;
  for (size_t pos = 0; pos < d.size();) {
    size_t tab = d.find('\t', pos), nl = d.find('\n', tab);
    if (d.substr(pos, tab - pos) == name)
      return d.substr(tab + 1, nl - tab - 1);
    pos = nl + 1;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> ImportTable::entries() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view d = data_;
  for (size_t pos = 0; pos < d.size();) {
    size_t tab = d.find('\t', pos), nl = d.find('\n', tab);
    out.push_back({std::string(d.substr(pos, tab - pos)), std::string(d.substr(tab + 1, nl - tab - 1))});
    pos = nl + 1;
  }
  return out;
}

} // namespace poolify::model
