// U-Net blocks: parameter names are what users read in reports ("enc1.conv1.weight").
#include "models/unet_blocks.hpp"

#include <torch/nn/functional/activation.h>

#include <cassert>

namespace repro {
namespace {

torch::nn::Conv2dOptions conv(int in_channels, int out_channels, int kernel_size) {
  // No bias: every conv here feeds a BatchNorm, which has its own shift.
  return torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size)
      .padding(kernel_size / 2)
      .bias(false);
}

constexpr int k_mobile_expansion = 4;

}  // namespace

ConvBlockImpl::ConvBlockImpl(int in_channels, int out_channels)
    : m_conv1(register_module("conv1", torch::nn::Conv2d(conv(in_channels, out_channels,
                                                              /*kernel_size=*/3)))),
      m_bn1(register_module("bn1", torch::nn::BatchNorm2d(out_channels))),
      m_conv2(register_module("conv2", torch::nn::Conv2d(conv(out_channels, out_channels,
                                                              /*kernel_size=*/3)))),
      m_bn2(register_module("bn2", torch::nn::BatchNorm2d(out_channels))) {}

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(m_bn1->forward(m_conv1->forward(x)));
  return torch::relu(m_bn2->forward(m_conv2->forward(y)));
}

InvertedResidualImpl::InvertedResidualImpl(int in_channels, int out_channels, int expansion)
    : m_residual(in_channels == out_channels) {
  const int hidden = in_channels * expansion;
  m_expand = register_module("expand", torch::nn::Conv2d(conv(in_channels, hidden,
                                                              /*kernel_size=*/1)));
  m_expand_bn = register_module("expand_bn", torch::nn::BatchNorm2d(hidden));
  m_depthwise = register_module(
      "depthwise", torch::nn::Conv2d(conv(hidden, hidden, /*kernel_size=*/3).groups(hidden)));
  m_depthwise_bn = register_module("depthwise_bn", torch::nn::BatchNorm2d(hidden));
  m_project = register_module("project", torch::nn::Conv2d(conv(hidden, out_channels,
                                                                /*kernel_size=*/1)));
  m_project_bn = register_module("project_bn", torch::nn::BatchNorm2d(out_channels));
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& x) {
  auto y = torch::nn::functional::relu6(m_expand_bn->forward(m_expand->forward(x)));
  y = torch::nn::functional::relu6(m_depthwise_bn->forward(m_depthwise->forward(y)));
  y = m_project_bn->forward(m_project->forward(y));
  return m_residual ? y + x : y;
}

MobileBlockImpl::MobileBlockImpl(int in_channels, int out_channels)
    : m_ir1(register_module("ir1", std::make_shared<InvertedResidualImpl>(in_channels, out_channels,
                                                                          k_mobile_expansion))),
      m_ir2(register_module("ir2", std::make_shared<InvertedResidualImpl>(
                                       out_channels, out_channels, k_mobile_expansion))) {}

torch::Tensor MobileBlockImpl::forward(const torch::Tensor& x) {
  return m_ir2->forward(m_ir1->forward(x));
}

std::shared_ptr<UNetBlockImpl> make_unet_block(const std::string& variant, int in_channels,
                                               int out_channels) {
  if (variant == "mobilenet") {
    return std::make_shared<MobileBlockImpl>(in_channels, out_channels);
  }
  assert(variant == "vgg");
  return std::make_shared<ConvBlockImpl>(in_channels, out_channels);
}

}  // namespace repro
