// Duplicate keys in the YAML files poolify reads (rules, poolify.yaml): YAML readers disagree on
// which of two equal keys wins, so a repeated key is an error naming the line of the first.
#pragma once

#include <llvm/Support/SourceMgr.h>
#include <llvm/Support/YAMLParser.h>

#include <map>
#include <string>

namespace poolify::config {

/// Remembers the key of `kv` (text `key`) in `seen`, the keys of one mapping so far; returns the
/// line of the earlier occurrence when `kv` repeats one, else 0.
inline unsigned repeatedKeyLine(std::map<std::string, llvm::yaml::Node *> &seen, const std::string &key,
                                llvm::yaml::KeyValueNode &kv, llvm::SourceMgr &sm) {
  auto [it, fresh] = seen.emplace(key, kv.getKey());
  return fresh ? 0 : sm.getLineAndColumn(it->second->getSourceRange().Start).first;
}

} // namespace poolify::config
