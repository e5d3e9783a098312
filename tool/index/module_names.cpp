#include "index/module_names.h"

#include <algorithm>

namespace poolify::index {

namespace {
constexpr std::string_view kInit = "__init__";

std::string_view lastComponent(std::string_view dotted) {
  size_t dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}
} // namespace

std::string ModuleNames::dottedPath(std::string_view path) {
  if (path.substr(0, 2) == "./")
    path.remove_prefix(2);
  if (path.size() > 3 && path.substr(path.size() - 3) == ".py")
    path.remove_suffix(3);
  std::string p(path);
  std::replace(p.begin(), p.end(), '/', '.');
  if (p == kInit)
    return "";
  if (p.size() > kInit.size() && p.compare(p.size() - kInit.size() - 1, kInit.size() + 1, ".__init__") == 0)
    p.resize(p.size() - kInit.size() - 1);
  size_t lead = p.find_first_not_of('.');
  p.erase(0, lead == std::string::npos ? p.size() : lead);
  return p;
}

uint32_t ModuleNames::hashOf(std::string_view lastComponent) {
  uint32_t h = 2166136261u; // FNV-1a, 32 bits
  for (unsigned char c : lastComponent) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

void ModuleNames::add(std::string_view path) {
  names_ += dottedPath(path);
  ends_.push_back(names_.size());
  std::string_view file = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  package_.push_back(file == "__init__.py");
}

void ModuleNames::index() {
  byLast_.clear();
  byLast_.reserve(size());
  for (size_t i = 0; i < size(); ++i)
    byLast_.emplace_back(hashOf(lastComponent(dotted(i))), static_cast<uint32_t>(i));
  std::sort(byLast_.begin(), byLast_.end());
  names_.shrink_to_fit();
}

std::string_view ModuleNames::dotted(size_t i) const {
  size_t begin = i == 0 ? 0 : ends_[i - 1];
  return std::string_view(names_).substr(begin, ends_[i] - begin);
}

std::vector<size_t> ModuleNames::endingWith(std::string_view module) const {
  std::vector<size_t> out;
  uint32_t h = hashOf(lastComponent(module));
  auto it = std::lower_bound(byLast_.begin(), byLast_.end(), std::make_pair(h, uint32_t(0)));
  for (; it != byLast_.end() && it->first == h; ++it) { // files in order: the pairs are sorted
    if (endsWith(dotted(it->second), module))
      out.push_back(it->second);
  }
  return out;
}

std::string ModuleNames::absolute(const std::string &qname, size_t fromFile) const {
  if (qname.empty() || qname[0] != '.')
    return qname;
  size_t dots = qname.find_first_not_of('.');
  std::string rest = dots == std::string::npos ? "" : qname.substr(dots);
  // The package of the importing module: itself for a package's __init__.py.
  std::string pkg(dotted(fromFile));
  if (!isPackage(fromFile)) {
    size_t p = pkg.rfind('.');
    pkg = p == std::string::npos ? "" : pkg.substr(0, p);
  }
  for (size_t up = 1; up < dots; ++up) {
    size_t p = pkg.rfind('.');
    pkg = p == std::string::npos ? "" : pkg.substr(0, p);
  }
  return pkg.empty() ? rest : pkg + "." + rest;
}

} // namespace poolify::index
