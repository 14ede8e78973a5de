// Predictions: the classes a trained model predicts for a few validation images.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/util/json_fields.hpp"

namespace repro {

inline constexpr int k_predictions_format_version = 1;
// At most this many validation samples carry their predicted classes (the first ones of
// the fold); at most k_max_prediction_images of them also carry pictures.
inline constexpr int k_max_prediction_samples = 8;
inline constexpr int k_max_prediction_images = 4;
inline constexpr int k_max_prediction_side = 1024;
inline constexpr size_t k_max_prediction_png_base64 = size_t{1} << 20;

// One validation sample: the predicted class (0 pet, 1 background, 2 border) per pixel.
struct PredictionSample {
  std::string id;
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> classes;  // height * width, row-major
  friend bool operator==(const PredictionSample&, const PredictionSample&) = default;
};

// Pictures for the report's image strip: the input and the predicted mask (classes coloured
// pet orange, background grey, border white), each a base64 PNG.
struct PredictionImage {
  std::string id;
  std::string input_png;  // "" when dropped (only the baseline's are kept in reports)
  std::string mask_png;
  friend bool operator==(const PredictionImage&, const PredictionImage&) = default;
};

struct Predictions {
  std::vector<PredictionSample> samples;
  std::vector<PredictionImage> images;
  friend bool operator==(const Predictions&, const Predictions&) = default;
};

// How two runs' predictions differ: pixels compared and pixels with another class.
struct PredictionChange {
  std::int64_t pixels = 0;
  std::int64_t differing = 0;
  std::vector<std::int64_t> differing_by_sample;  // in `samples` order
};

// {"format_version": 1, "samples": [{"id", "width", "height", "classes": base64 of the
// classes packed 4 per byte, first pixel in the low 2 bits}], "images": [{"id",
// "input_png", "mask_png"}]} (docs/trace-format.md, the eval record).
nlohmann::ordered_json to_json(const Predictions& predictions);

// The inverse; bounded (sample count, sides, PNG sizes) and validated (classes 0..2, the
// packed length matching the size). Throws repro::Error naming `at`'s file and field.
Predictions predictions_from_json(const nlohmann::json& j, const JsonPath& at);

// Compares the samples both have by id and size; nullopt when they share none.
std::optional<PredictionChange> compare_predictions(const Predictions& reference,
                                                    const Predictions& candidate);

}  // namespace repro
