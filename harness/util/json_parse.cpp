// Strict JSON parsing (see json_parse.hpp).
#include "harness/util/json_parse.hpp"

#include <set>
#include <vector>

#include "harness/util/error.hpp"

namespace repro {
namespace {

// Per open object: the keys seen so far and the key being parsed (for the field path).
struct OpenObject {
  std::set<std::string> keys;
  std::string current;
};

std::string field_path(const std::vector<OpenObject>& open) {
  std::string field;
  for (const auto& o : open) {
    if (!o.current.empty()) {
      field += (field.empty() ? "" : ".") + o.current;
    }
  }
  return field;
}

template <typename Json>
Json parse_strict(std::string_view text, const std::string& file) {
  std::vector<OpenObject> open;
  auto callback = [&](int depth, typename Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        if (depth >= k_max_json_depth) {
          throw Error(file, field_path(open),
                      "nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        }
        if (event == Json::parse_event_t::object_start) {
          open.emplace_back();
        }
        break;
      case Json::parse_event_t::key: {
        const auto& key = parsed.template get_ref<const std::string&>();
        open.back().current = key;
        if (!open.back().keys.insert(key).second) {
          throw Error(file, field_path(open), "duplicate key '" + key + "'");
        }
        break;
      }
      case Json::parse_event_t::object_end:
        open.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text, callback);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(file, "", "not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::out_of_range& e) {
    throw Error(file, field_path(open), "number out of range: " + json_exception_text(e));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file, field_path(open), "unreadable JSON: " + json_exception_text(e));
  }
}

}  // namespace

std::string json_exception_text(const nlohmann::json::exception& e) {
  std::string_view text = e.what();
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("] ");
    if (close != std::string_view::npos) {
      text.remove_prefix(close + 2);
    }
  }
  return std::string(text);
}

nlohmann::json parse_json_strict(std::string_view text, const std::string& file) {
  return parse_strict<nlohmann::json>(text, file);
}

nlohmann::ordered_json parse_ordered_json_strict(std::string_view text, const std::string& file) {
  return parse_strict<nlohmann::ordered_json>(text, file);
}

}  // namespace repro
