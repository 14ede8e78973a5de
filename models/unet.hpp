// UNet: the 3-class (pet / background / border) segmentation network of the workload.
#pragma once

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>
#include <vector>

#include "models/unet_blocks.hpp"

namespace repro {

struct UNetOptions {
  std::string variant = "vgg";  // "vgg" or "mobilenet" (see unet_blocks.hpp)
  int in_channels = 3;
  int classes = 3;
  int width = 8;         // channels of the first encoder level, doubled per level
  int depth = 3;         // encoder levels; the input side must be divisible by 2^depth
  double dropout = 0.1;  // in the bottleneck, training mode only
};

// Encoder enc1..encD (block, then 2x2 max-pool), bottleneck (block + dropout), decoder
// upD/decD..up1/dec1 (2x2 stride-2 transposed convolution, concatenation with the
// skip, block) and a 1x1 head. Submodules are registered in forward order, so
// named_parameters() lists them as data flows: enc1.conv1.weight, ..., head.bias.
class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const UNetOptions& options);

  // Logits [N, classes, H, W] for images [N, in_channels, H, W]. In training mode with
  // dropout > 0 the dropout mask is drawn on the CPU from `dropout_generator` (required
  // then), so it does not depend on the device or on libtorch's default generator.
  torch::Tensor forward(const torch::Tensor& images,
                        c10::optional<at::Generator> dropout_generator = c10::nullopt);

  const UNetOptions& options() const { return m_options; }

 private:
  UNetOptions m_options;
  std::vector<std::shared_ptr<UNetBlockImpl>> m_encoders;  // enc1 first
  std::shared_ptr<UNetBlockImpl> m_bottleneck;
  std::vector<torch::nn::ConvTranspose2d> m_ups;           // upD first
  std::vector<std::shared_ptr<UNetBlockImpl>> m_decoders;  // decD first
  torch::nn::Conv2d m_head{nullptr};
};
TORCH_MODULE(UNet);

// The smallest side the bottleneck sees: image_size / 2^depth (0 when not divisible).
int bottleneck_side(int image_size, int depth);

}  // namespace repro
