// repro::Error: renders file, field and message into one line.
#include "harness/util/error.hpp"

namespace repro {
namespace {

std::string render(const std::string& file, const std::string& field, const std::string& message) {
  std::string out;
  if (!file.empty()) {
    out += file + ": ";
  }
  if (!field.empty()) {
    out += field + ": ";
  }
  return out + message;
}

}  // namespace

Error::Error(std::string file, std::string field, std::string message)
    : std::runtime_error(render(file, field, message)),
      m_file(std::move(file)),
      m_field(std::move(field)),
      m_message(std::move(message)) {}

}  // namespace repro
