// An optional value kept on the heap: one pointer wide when absent. For the parts of records a run
// keeps for every file (or every class) that most of them do not have.
#pragma once

#include <memory>
#include <utility>

namespace poolify {

/// Like std::optional<T>, but the value lives on the heap; copies are deep.
template <typename T> class Box {
public:
  Box() = default;
  Box(const T &v) : p_(std::make_unique<T>(v)) {}
  Box(T &&v) : p_(std::make_unique<T>(std::move(v))) {}
  Box(const Box &o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box(Box &&) noexcept = default;
  Box &operator=(const Box &o) {
    if (this != &o)
      p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box &operator=(Box &&) noexcept = default;

  template <typename... Args> T &emplace(Args &&...args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() { p_.reset(); }
  bool has_value() const { return p_ != nullptr; } // NOLINT(readability-identifier-naming): std::optional's name
  explicit operator bool() const { return has_value(); }
  T &operator*() { return *p_; }
  const T &operator*() const { return *p_; }
  T *operator->() { return p_.get(); }
  const T *operator->() const { return p_.get(); }

private:
  std::unique_ptr<T> p_;
};

} // namespace poolify
