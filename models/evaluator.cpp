// Validation metrics from a confusion matrix accumulated over batches.
#include "models/evaluator.hpp"

#include <ATen/ATen.h>
#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>

#include "harness/util/base64.hpp"
#include "models/data/png_codec.hpp"
#include "models/pet_batches.hpp"

namespace repro {
namespace {

constexpr size_t k_eval_batch = 16;

// Mask colours by class: pet orange, background grey, border white.
constexpr std::uint8_t k_mask_colours[3][3] = {{230, 126, 34}, {90, 90, 90}, {245, 245, 245}};

// The predicted classes of one sample of a batch ([H, W] int64 on the CPU).
PredictionSample prediction_of(const PetSample& sample, const at::Tensor& classes) {
  PredictionSample p;
  p.id = sample.id;
  p.height = static_cast<int>(classes.size(0));
  p.width = static_cast<int>(classes.size(1));
  const at::Tensor bytes = classes.to(at::kByte).contiguous();
  const auto* data = bytes.data_ptr<std::uint8_t>();
  p.classes.assign(data, data + bytes.numel());
  return p;
}

PredictionImage picture_of(const PetSample& sample, const PredictionSample& prediction) {
  Image mask = Image::blank(prediction.width, prediction.height, 3);
  for (size_t k = 0; k < prediction.classes.size(); ++k) {
    for (size_t c = 0; c < 3; ++c) {
      mask.pixels[k * 3 + c] = k_mask_colours[prediction.classes[k] % 3][c];
    }
  }
  const std::string input = encode_png(sample.image);
  const std::string coloured = encode_png(mask);
  auto bytes = [](const std::string& s) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  };
  return {sample.id, base64_encode(bytes(input)), base64_encode(bytes(coloured))};
}

}  // namespace

SegmentationMetrics evaluate(UNet& model, const std::vector<PetSample>& samples, int max_samples,
                             c10::Device device, Predictions* predictions) {
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
    const at::Tensor predicted = logits.argmax(/*dim=*/1);
    const at::Tensor codes = (labels * 3 + predicted).flatten().cpu();
    if (predictions != nullptr) {
      const at::Tensor on_cpu = predicted.cpu();
      for (size_t i = 0; i < chunk.size(); ++i) {
        const size_t index = begin + i;
        if (index >= static_cast<size_t>(k_max_prediction_samples)) {
          break;
        }
        predictions->samples.push_back(prediction_of(*chunk[i], on_cpu[static_cast<long>(i)]));
        if (index < static_cast<size_t>(k_max_prediction_images)) {
          predictions->images.push_back(picture_of(*chunk[i], predictions->samples.back()));
        }
      }
    }
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
