// Embedded schemas: the texts come from docs/schemas/ through a generated include.
#include "harness/trace/contract_schemas.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

namespace repro {
namespace {

struct SchemaText {
  std::string_view name;
  std::string_view text;
};

constexpr SchemaText k_schema_texts[] = {
#include "harness/trace/contract_schema_texts.inc"
};

const SchemaText& find_text(std::string_view file_name) {
  for (const auto& entry : k_schema_texts) {
    if (entry.name == file_name) {
      return entry;
    }
  }
  throw std::logic_error("no embedded schema named " + std::string(file_name));
}

}  // namespace

std::vector<std::string> contract_schema_names() {
  std::vector<std::string> names;
  for (const auto& entry : k_schema_texts) {
    names.emplace_back(entry.name);
  }
  return names;
}

std::string_view contract_schema_text(std::string_view file_name) {
  return find_text(file_name).text;
}

const JsonSchema& contract_schema(std::string_view file_name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<JsonSchema>, std::less<>> compiled;
  const SchemaText& entry = find_text(file_name);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = compiled.find(entry.name);
  if (it == compiled.end()) {
    it = compiled
             .emplace(std::string(entry.name),
                      std::make_unique<JsonSchema>(std::string(entry.name), entry.text))
             .first;
  }
  return *it->second;
}

void validate_against(std::string_view file_name, const nlohmann::json& document,
                      const std::string& file, const std::string& field_prefix) {
  contract_schema(file_name).validate(document, file, field_prefix);
}

}  // namespace repro
