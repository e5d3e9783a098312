#include "model/classes.h"

#include <algorithm>
#include <charconv>

namespace poolify::model {

const InitFacts &ClassFacts::init() const {
  static const InitFacts none;
  return init_ ? *init_ : none;
}

InitFacts &ClassFacts::defineInit() { return init_ ? *init_ : init_.emplace(); }

NameList::NameList(std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    push_back(n);
}

NameList::NameList(const std::vector<std::string> &names) {
  for (const auto &n : names)
    push_back(n);
}

void NameList::push_back(std::string_view name) {
  std::string packed(data_.view());
  if (name.size() < 255) {
    packed += static_cast<char>(name.size());
  } else {
    packed += static_cast<char>(255);
    for (int shift = 0; shift < 32; shift += 8)
      packed += static_cast<char>((name.size() >> shift) & 0xff);
  }
  packed += name;
  data_.assign(packed);
}

std::pair<std::string_view, size_t> NameList::decode(std::string_view data, size_t pos) {
  size_t n = static_cast<unsigned char>(data[pos++]);
  if (n == 255) {
    n = 0;
    for (int shift = 0; shift < 32; shift += 8)
      n |= size_t(static_cast<unsigned char>(data[pos++])) << shift;
  }
  return {data.substr(pos, n), pos + n};
}

size_t NameList::size() const { return static_cast<size_t>(std::distance(begin(), end())); }

std::vector<std::string> NameList::strings() const {
  std::vector<std::string> out;
  for (std::string_view n : *this)
    out.emplace_back(n);
  return out;
}

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

void AttributeWrites::add(const AttributeAssignment &a) {
  std::string packed(data_.view());
  encode(a, packed);
  data_.assign(packed);
}

void AttributeWrites::encode(const AttributeAssignment &a, std::string &packed) {
  packed += a.attr;
  packed += '\t';
  packed += a.method;
  packed += '\t';
  packed += a.valueKey;
  packed += '\t';
  for (uint32_t n : {a.start, a.end, a.order, static_cast<uint32_t>(a.where), static_cast<uint32_t>(a.unconditional)}) {
    packed += std::to_string(n);
    packed += ' ';
  }
  packed.back() = '\n';
}

bool AttributeWrites::split(std::string_view line, std::string_view (&texts)[3], uint32_t (&numbers)[5]) {
  for (std::string_view &t : texts) { // attr, method, valueKey
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos)
      return false;
    t = line.substr(0, tab);
    line.remove_prefix(tab + 1);
  }
  for (uint32_t &x : numbers) { // start, end, order, where, unconditional
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), x);
    if (ec != std::errc())
      return false;
    line.remove_prefix(static_cast<size_t>(end - line.data()));
    if (!line.empty() && line.front() == ' ')
      line.remove_prefix(1);
  }
  return line.empty() && !texts[0].empty() &&
         numbers[3] <= static_cast<uint32_t>(AttributeAssignment::Where::ClassBody) && numbers[4] <= 1;
}

std::optional<AttributeAssignment> AttributeWrites::decode(std::string_view line) {
  std::string_view texts[3];
  uint32_t n[5];
  if (!split(line, texts, n))
    return std::nullopt;
  AttributeAssignment a;
  a.attr = std::string(texts[0]);
  a.method = std::string(texts[1]);
  a.valueKey = std::string(texts[2]);
  a.start = n[0];
  a.end = n[1];
  a.order = n[2];
  a.where = static_cast<AttributeAssignment::Where>(n[3]);
  a.unconditional = n[4] == 1;
  return a;
}

// Checked as the cache reads it (split alone: nothing is built).
bool AttributeWrites::assign(std::string_view data) {
  std::string_view texts[3];
  uint32_t n[5];
  for (size_t pos = 0; pos < data.size();) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos || !split(std::string_view(data).substr(pos, nl - pos), texts, n))
      return false;
    pos = nl + 1;
  }
  data_.assign(data);
  return true;
}

std::vector<AttributeAssignment> ClassFacts::assignmentsOf(std::string_view attr) const {
  std::vector<AttributeAssignment> out;
  for (const auto &a : assignments)
    if (a.attr == attr)
      out.push_back(a);
  size_t clients = out.size();
  writes.forEachOf(attr, [&](AttributeAssignment a) { out.push_back(std::move(a)); });
  if (clients != out.size()) // both lists are in order: merge them
    std::inplace_merge(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(clients), out.end(),
                       [](const AttributeAssignment &x, const AttributeAssignment &y) { return x.order < y.order; });
  return out;
}

} // namespace poolify::model
