#pragma once
// Errors as values (LevelDB's Status, std::expected-like). A Result<T> holds either a value
// or an error message; services return these and never throw across their interface.

#include <string>
#include <utility>
#include <variant>

namespace flowlens {

struct Error {
  std::string message;
  // The service behind the call is unreachable (already logged once by that service):
  // callers report such failures quietly.
  bool unavailable = false;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(runtime/explicit)
  Result(Error error) : v_(std::move(error)) {}        // NOLINT(runtime/explicit)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const std::string& error() const { return std::get<Error>(v_).message; }
  bool unavailable() const { return !ok() && std::get<Error>(v_).unavailable; }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e)  // NOLINT(runtime/explicit)
      : failed_(true), unavailable_(e.unavailable), message_(std::move(e.message)) {}
  static Status Ok() { return Status(); }
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const { return message_; }
  bool unavailable() const { return unavailable_; }

 private:
  bool failed_ = false;
  bool unavailable_ = false;
  std::string message_;
};

}  // namespace flowlens
