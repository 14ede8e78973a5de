// Validation metrics from a confusion matrix accumulated over batches.
#include "models/evaluator.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>

#include "models/pet_batches.hpp"

namespace repro {
namespace {

constexpr size_t k_eval_batch = 16;

}  // namespace

SegmentationMetrics evaluate(UNet& model, const std::vector<PetSample>& samples, int max_samples,
                             c10::Device device) {
  SegmentationMetrics metrics;
  size_t count = samples.size();
  if (max_samples > 0) {
    count = std::min(count, static_cast<size_t>(max_samples));
  }
  model->eval();
  torch::NoGradGuard no_grad;
  double loss_sum = 0;
  std::int64_t pixels = 0;
  for (size_t begin = 0; begin < count; begin += k_eval_batch) {
    std::vector<const PetSample*> chunk;
    for (size_t i = begin; i < std::min(count, begin + k_eval_batch); ++i) {
      chunk.push_back(&samples[i]);
    }
    const Batch batch = make_batch(chunk);
    const at::Tensor labels = batch.labels.to(device);
    const at::Tensor logits = model->forward(batch.images.to(device));
    loss_sum +=
        torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    pixels += labels.numel();
    // confusion[label][prediction] as a bincount of label * 3 + prediction.
    const at::Tensor codes = (labels * 3 + logits.argmax(/*dim=*/1)).flatten().cpu();
    const at::Tensor counts = at::bincount(codes, /*weights=*/{}, /*minlength=*/9);
    const auto* c = counts.data_ptr<std::int64_t>();
    for (size_t label = 0; label < 3; ++label) {
      for (size_t prediction = 0; prediction < 3; ++prediction) {
        metrics.confusion[label][prediction] += c[label * 3 + prediction];
      }
    }
  }
  metrics.samples = static_cast<int>(count);
  if (pixels == 0) {
    return metrics;
  }
  metrics.loss = loss_sum / static_cast<double>(pixels);
  std::int64_t correct = 0;
  for (size_t k = 0; k < 3; ++k) {
    const std::int64_t tp = metrics.confusion[k][k];
    std::int64_t fp = 0;
    std::int64_t fn = 0;
    for (size_t other = 0; other < 3; ++other) {
      if (other != k) {
        fp += metrics.confusion[other][k];
        fn += metrics.confusion[k][other];
      }
    }
    correct += tp;
    const std::int64_t union_size = tp + fp + fn;
    metrics.iou[k] = union_size == 0 ? 0.0 : static_cast<double>(tp) / union_size;
    metrics.f1[k] = union_size == 0 ? 0.0 : 2.0 * tp / static_cast<double>(2 * tp + fp + fn);
  }
  metrics.pixel_accuracy = static_cast<double>(correct) / static_cast<double>(pixels);
  metrics.mean_iou = (metrics.iou[0] + metrics.iou[1] + metrics.iou[2]) / 3.0;
  metrics.mean_f1 = (metrics.f1[0] + metrics.f1[1] + metrics.f1[2]) / 3.0;
  return metrics;
}

nlohmann::json to_json(const SegmentationMetrics& metrics) {
  nlohmann::json iou;
  nlohmann::json f1;
  for (size_t k = 0; k < 3; ++k) {
    iou[k_class_names[k]] = metrics.iou[k];
    f1[k_class_names[k]] = metrics.f1[k];
  }
  return {{"split", "validation"},
          {"samples", metrics.samples},
          {"loss", metrics.loss},
          {"pixel_accuracy", metrics.pixel_accuracy},
          {"iou", iou},
          {"mean_iou", metrics.mean_iou},
          {"f1", f1},
          {"mean_f1", metrics.mean_f1}};
}

}  // namespace repro
