// repro::Error: the one exception type for expected failures (bad input file, bad usage).
#pragma once

#include <stdexcept>
#include <string>

namespace repro {

// An expected failure that ends as exit 2 with "repro-check: error: <file>: <what>".
// `file` names the input at fault (may be empty for usage errors); `field` the JSON
// field or line inside it (may be empty). what() renders "file: field: message".
class Error : public std::runtime_error {
 public:
  Error(std::string file, std::string field, std::string message);
  explicit Error(std::string message) : Error("", "", std::move(message)) {}

  const std::string& file() const { return m_file; }
  const std::string& field() const { return m_field; }
  const std::string& message() const { return m_message; }

 private:
  std::string m_file;
  std::string m_field;
  std::string m_message;
};

// A file could not be written (disk full, permission, I/O error): the machine's fault,
// not the input's. The worker exits 3 for it (runtime failure), 2 for any other Error.
class WriteError : public Error {
 public:
  using Error::Error;
};

}  // namespace repro
