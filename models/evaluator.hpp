// Evaluation of the trained U-Net on the validation fold: loss, IoU, F1, pixel accuracy.
#pragma once

#include <c10/core/Device.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "harness/trace/predictions.hpp"
#include "models/data/pet_sample.hpp"
#include "models/unet.hpp"

namespace repro {

// Class names in label order (trimap value - 1), as the eval record spells them.
inline constexpr std::array<const char*, 3> k_class_names = {"pet", "background", "border"};

struct SegmentationMetrics {
  int samples = 0;
  double loss = 0;              // mean cross-entropy per pixel
  double pixel_accuracy = 0;    // correct pixels / all pixels
  std::array<double, 3> iou{};  // TP / (TP + FP + FN); 0 when the class is absent
  std::array<double, 3> f1{};   // 2TP / (2TP + FP + FN); 0 when the class is absent
  double mean_iou = 0;          // unweighted mean over the 3 classes
  double mean_f1 = 0;
  // confusion[label][prediction], pixel counts
  std::array<std::array<std::int64_t, 3>, 3> confusion{};
};

// Runs `model` in eval mode without gradients over `samples` (the first `max_samples`
// when > 0) in batches, on `device`. Leaves the model in eval mode. With `predictions`,
// also keeps the predicted classes of the first k_max_prediction_samples samples and the
// pictures (input, coloured mask) of the first k_max_prediction_images.
SegmentationMetrics evaluate(UNet& model, const std::vector<PetSample>& samples, int max_samples,
                             c10::Device device, Predictions* predictions = nullptr);

// The eval record's metrics object (docs/trace-format.md), with "split": "validation".
nlohmann::json to_json(const SegmentationMetrics& metrics);

}  // namespace repro
