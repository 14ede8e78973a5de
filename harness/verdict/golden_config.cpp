// GoldenConfig: flatten, hash and diff worker configs.
#include "harness/verdict/golden_config.hpp"

#include <algorithm>
#include <map>
#include <span>

namespace repro {
namespace {

void flatten_into(const nlohmann::json& value, const std::string& path, ConfigFields& out) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (path.empty() && it.key() == "format_version") {
        continue;
      }
      flatten_into(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
    }
    return;
  }
  out.emplace_back(path, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

ConfigFields flatten_config(const nlohmann::json& config) {
  ConfigFields out;
  if (config.is_object()) {
    flatten_into(config, "", out);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Digest config_hash(const ConfigFields& fields) {
  std::string text;
  for (const auto& [path, value] : fields) {
    text += path + "=" + value + "\n";
  }
  return digest_bytes(std::as_bytes(std::span<const char>(text.data(), text.size())));
}

std::vector<std::string> config_changes(const ConfigFields& golden, const ConfigFields& run) {
  std::map<std::string, std::pair<std::string, std::string>> both;
  for (const auto& [path, value] : golden) {
    both[path].first = value;
  }
  for (const auto& [path, value] : run) {
    both[path].second = value;
  }
  std::vector<std::string> out;
  for (const auto& [path, values] : both) {
    if (values.first != values.second) {
      out.push_back(path + " " + (values.first.empty() ? "(absent)" : values.first) + " → " +
                    (values.second.empty() ? "(absent)" : values.second));
    }
  }
  return out;
}

}  // namespace repro
