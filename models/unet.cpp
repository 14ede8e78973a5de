// UNet: encoder, bottleneck with dropout, transposed-convolution decoder, 1x1 head.
#include "models/unet.hpp"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/functional/pooling.h>

#include <string>

namespace repro {

UNetImpl::UNetImpl(const UNetOptions& options) : m_options(options) {
  int in = options.in_channels;
  for (int level = 1; level <= options.depth; ++level) {
    const int out = options.width << (level - 1);
    m_encoders.push_back(
        register_module("enc" + std::to_string(level), make_unet_block(options.variant, in, out)));
    in = out;
  }
  const int bottom = options.width << options.depth;
  m_bottleneck = register_module("bottleneck", make_unet_block(options.variant, in, bottom));
  in = bottom;
  for (int level = options.depth; level >= 1; --level) {
    const int out = options.width << (level - 1);
    m_ups.push_back(register_module(
        "up" + std::to_string(level),
        torch::nn::ConvTranspose2d(
            torch::nn::ConvTranspose2dOptions(in, out, /*kernel_size=*/2).stride(2))));
    // The decoder block sees the upsampled features concatenated with the skip.
    m_decoders.push_back(register_module("dec" + std::to_string(level),
                                         make_unet_block(options.variant, 2 * out, out)));
    in = out;
  }
  m_head = register_module(
      "head", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, options.classes, /*kernel_size=*/1)));
}

torch::Tensor UNetImpl::forward(const torch::Tensor& images,
                                c10::optional<at::Generator> dropout_generator) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == m_options.in_channels, "UNet expects [N, ",
              m_options.in_channels, ", H, W] images, got ", images.sizes());
  const int64_t divisor = int64_t{1} << m_options.depth;
  TORCH_CHECK(images.size(2) % divisor == 0 && images.size(3) % divisor == 0, "UNet of depth ",
              m_options.depth, " needs H and W divisible by ", divisor);
  std::vector<torch::Tensor> skips;
  torch::Tensor x = images;
  for (auto& encoder : m_encoders) {
    x = encoder->forward(x);
    skips.push_back(x);
    x = torch::max_pool2d(x, /*kernel_size=*/2);
  }
  x = m_bottleneck->forward(x);
  if (is_training() && m_options.dropout > 0) {
    TORCH_CHECK(dropout_generator.has_value(), "UNet training forward needs a dropout generator");
    const double keep = 1.0 - m_options.dropout;
    auto mask = at::empty(x.sizes(), at::TensorOptions().dtype(x.scalar_type()))
                    .bernoulli_(keep, *dropout_generator)
                    .div_(keep);
    x = x * mask.to(x.device());
  }
  for (size_t i = 0; i < m_ups.size(); ++i) {
    x = m_ups[i]->forward(x);
    x = m_decoders[i]->forward(torch::cat({x, skips[skips.size() - 1 - i]}, /*dim=*/1));
  }
  return m_head->forward(x);
}

int bottleneck_side(int image_size, int depth) {
  const int divisor = 1 << depth;
  return image_size % divisor == 0 ? image_size / divisor : 0;
}

}  // namespace repro
