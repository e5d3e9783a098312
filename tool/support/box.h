// An optional value kept on the heap: one pointer wide when absent. For the parts of records a run
// keeps for every file (or every class) that most of them do not have.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

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

/// An immutable string one pointer wide (null while empty): its length and bytes in one heap block;
/// copies are deep. For texts a run keeps for every class of every file, most of them short or none.
class BoxedString {
public:
  BoxedString() = default;
  explicit BoxedString(std::string_view s) { assign(s); }
  BoxedString(const BoxedString &o) { assign(o.view()); }
  BoxedString(BoxedString &&) noexcept = default;
  BoxedString &operator=(const BoxedString &o) {
    if (this != &o)
      assign(o.view());
    return *this;
  }
  BoxedString &operator=(BoxedString &&) noexcept = default;

  /// Replaces the whole text.
  void assign(std::string_view s) {
    if (s.empty()) {
      p_.reset();
      return;
    }
    std::unique_ptr<char[]> p(new char[sizeof(size_t) + s.size()]);
    size_t n = s.size();
    std::memcpy(p.get(), &n, sizeof n);
    std::memcpy(p.get() + sizeof n, s.data(), n);
    p_ = std::move(p);
  }
  std::string_view view() const {
    if (!p_)
      return {};
    size_t n = 0;
    std::memcpy(&n, p_.get(), sizeof n);
    return {p_.get() + sizeof n, n};
  }
  bool empty() const { return !p_; }

private:
  std::unique_ptr<char[]> p_;
};

/// A std::vector one pointer wide while empty (the elements, when there are some, live in a
/// vector on the heap); copies are deep. For the lists of a record a run keeps for every file that
/// most files leave empty.
template <typename T> class BoxedVector {
public:
  using value_type = T;
  using iterator = T *;
  using const_iterator = const T *;

  BoxedVector() = default;
  BoxedVector(std::initializer_list<T> items) { assign(std::vector<T>(items)); }
  BoxedVector(std::vector<T> items) { assign(std::move(items)); } // NOLINT(google-explicit-constructor): a vector
  BoxedVector &operator=(std::vector<T> items) {
    assign(std::move(items));
    return *this;
  }
  BoxedVector &operator=(std::initializer_list<T> items) {
    assign(std::vector<T>(items));
    return *this;
  }

  bool empty() const { return !v_ || v_->empty(); }
  size_t size() const { return v_ ? v_->size() : 0; }
  T *begin() { return v_ ? v_->data() : nullptr; }
  T *end() { return v_ ? v_->data() + v_->size() : nullptr; }
  const T *begin() const { return v_ ? v_->data() : nullptr; }
  const T *end() const { return v_ ? v_->data() + v_->size() : nullptr; }
  T &operator[](size_t i) { return (*v_)[i]; }
  const T &operator[](size_t i) const { return (*v_)[i]; }
  T &front() { return v_->front(); }
  const T &front() const { return v_->front(); }
  T &back() { return v_->back(); }
  const T &back() const { return v_->back(); }
  void push_back(const T &x) { list().push_back(x); }       // NOLINT(readability-identifier-naming): std::vector's name
  void push_back(T &&x) { list().push_back(std::move(x)); } // NOLINT(readability-identifier-naming): std::vector's name
  template <typename... Args>
  T &emplace_back(Args &&...args) { // NOLINT(readability-identifier-naming): std::vector's name
    return list().emplace_back(std::forward<Args>(args)...);
  }
  void clear() { v_.reset(); }
  void shrink_to_fit() { // NOLINT(readability-identifier-naming): std::vector's name
    if (v_)
      v_->shrink_to_fit();
  }
  /// The elements as a vector (made, empty, when there is none), for what a vector does.
  std::vector<T> &list() {
    if (!v_)
      v_.emplace();
    return *v_;
  }
  /// A copy as a vector.
  std::vector<T> vector() const { return v_ ? *v_ : std::vector<T>{}; }
  bool operator==(const BoxedVector &o) const { return std::equal(begin(), end(), o.begin(), o.end()); }

private:
  void assign(std::vector<T> items) {
    if (items.empty())
      v_.reset();
    else
      v_.emplace(std::move(items));
  }
  Box<std::vector<T>> v_;
};

} // namespace poolify
