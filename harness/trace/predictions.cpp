// Predictions in JSON (2-bit packed classes in base64) and how two runs' predictions differ.
#include "harness/trace/predictions.hpp"

#include <algorithm>
#include <iterator>

#include "harness/util/base64.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

std::string pack(const std::vector<std::uint8_t>& classes) {
  std::vector<std::uint8_t> packed((classes.size() + 3) / 4, 0);
  for (size_t i = 0; i < classes.size(); ++i) {
    packed[i / 4] = static_cast<std::uint8_t>(packed[i / 4] | ((classes[i] & 3u) << (2 * (i % 4))));
  }
  return base64_encode(packed);
}

std::string png_field(const nlohmann::json& obj, std::string_view key, const JsonPath& at,
                      bool optional) {
  if (optional && !obj.contains(key)) {
    return "";
  }
  std::string text = get_string(obj, key, at);
  if (optional && text.empty()) {
    return "";
  }
  if (text.size() > k_max_prediction_png_base64) {
    throw Error(at.file, at.child(key).field, "larger than 1 MiB");
  }
  std::optional<std::vector<std::uint8_t>> bytes = base64_decode(text);
  static constexpr std::uint8_t k_signature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (!bytes || bytes->size() < sizeof k_signature ||
      !std::equal(std::begin(k_signature), std::end(k_signature), bytes->begin())) {
    throw Error(at.file, at.child(key).field, "expected a base64 PNG");
  }
  return text;
}

}  // namespace

nlohmann::ordered_json to_json(const Predictions& predictions) {
  nlohmann::ordered_json j;
  j["format_version"] = k_predictions_format_version;
  nlohmann::ordered_json samples = nlohmann::ordered_json::array();
  for (const auto& s : predictions.samples) {
    samples.push_back(
        {{"id", s.id}, {"width", s.width}, {"height", s.height}, {"classes", pack(s.classes)}});
  }
  j["samples"] = std::move(samples);
  nlohmann::ordered_json images = nlohmann::ordered_json::array();
  for (const auto& image : predictions.images) {
    images.push_back(
        {{"id", image.id}, {"input_png", image.input_png}, {"mask_png", image.mask_png}});
  }
  j["images"] = std::move(images);
  return j;
}

Predictions predictions_from_json(const nlohmann::json& j, const JsonPath& at) {
  require_object(j, at);
  check_format_version(j, at, 1, k_predictions_format_version, "predictions");
  Predictions p;
  JsonPath samples_at = at.child("samples");
  const nlohmann::json& samples = require_array(require_field(j, "samples", at), samples_at);
  if (samples.size() > static_cast<size_t>(k_max_prediction_samples)) {
    throw Error(at.file, samples_at.field,
                "more than " + std::to_string(k_max_prediction_samples) + " samples");
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    JsonPath s_at = samples_at.index(i);
    const nlohmann::json& s = require_object(samples[i], s_at);
    PredictionSample sample;
    sample.id = get_string(s, "id", s_at);
    sample.width = static_cast<int>(get_int_in(s, "width", s_at, 1, k_max_prediction_side));
    sample.height = static_cast<int>(get_int_in(s, "height", s_at, 1, k_max_prediction_side));
    const size_t pixels = static_cast<size_t>(sample.width) * static_cast<size_t>(sample.height);
    std::optional<std::vector<std::uint8_t>> packed = base64_decode(get_string(s, "classes", s_at));
    if (!packed || packed->size() != (pixels + 3) / 4) {
      throw Error(at.file, s_at.child("classes").field,
                  "expected base64 of " + std::to_string((pixels + 3) / 4) +
                      " bytes (width * height classes, 4 per byte)");
    }
    sample.classes.resize(pixels);
    for (size_t k = 0; k < pixels; ++k) {
      const std::uint8_t c = static_cast<std::uint8_t>(((*packed)[k / 4] >> (2 * (k % 4))) & 3u);
      if (c > 2) {
        throw Error(at.file, s_at.child("classes").field,
                    "pixel " + std::to_string(k) + " has class 3 (classes are 0, 1, 2)");
      }
      sample.classes[k] = c;
    }
    p.samples.push_back(std::move(sample));
  }
  JsonPath images_at = at.child("images");
  const nlohmann::json& images = require_array(require_field(j, "images", at), images_at);
  if (images.size() > static_cast<size_t>(k_max_prediction_images)) {
    throw Error(at.file, images_at.field,
                "more than " + std::to_string(k_max_prediction_images) + " images");
  }
  for (size_t i = 0; i < images.size(); ++i) {
    JsonPath i_at = images_at.index(i);
    const nlohmann::json& e = require_object(images[i], i_at);
    PredictionImage image;
    image.id = get_string(e, "id", i_at);
    image.input_png = png_field(e, "input_png", i_at, true);
    image.mask_png = png_field(e, "mask_png", i_at, false);
    p.images.push_back(std::move(image));
  }
  return p;
}

std::optional<PredictionChange> compare_predictions(const Predictions& reference,
                                                    const Predictions& candidate) {
  PredictionChange change;
  bool any = false;
  for (const auto& a : reference.samples) {
    std::int64_t differing = -1;
    for (const auto& b : candidate.samples) {
      if (b.id == a.id && b.width == a.width && b.height == a.height) {
        differing = 0;
        for (size_t k = 0; k < a.classes.size(); ++k) {
          differing += a.classes[k] != b.classes[k] ? 1 : 0;
        }
        break;
      }
    }
    change.differing_by_sample.push_back(differing);
    if (differing >= 0) {
      any = true;
      change.pixels += static_cast<std::int64_t>(a.classes.size());
      change.differing += differing;
    }
  }
  return any ? std::optional<PredictionChange>(std::move(change)) : std::nullopt;
}

}  // namespace repro
