// The U-Net's building blocks: plain conv blocks ("vgg") and inverted residuals ("mobilenet").
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <memory>
#include <string>

namespace repro {

// A block of the U-Net: [N, in, H, W] -> [N, out, H, W] (spatial size kept).
class UNetBlockImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};

// "vgg": conv1 (3x3) -> bn1 -> ReLU -> conv2 (3x3) -> bn2 -> ReLU.
class ConvBlockImpl : public UNetBlockImpl {
 public:
  ConvBlockImpl(int in_channels, int out_channels);
  torch::Tensor forward(const torch::Tensor& x) override;

 private:
  torch::nn::Conv2d m_conv1{nullptr};
  torch::nn::BatchNorm2d m_bn1{nullptr};
  torch::nn::Conv2d m_conv2{nullptr};
  torch::nn::BatchNorm2d m_bn2{nullptr};
};

// MobileNetV2's inverted residual: expand (1x1) -> BN -> ReLU6 -> depthwise (3x3) ->
// BN -> ReLU6 -> project (1x1) -> BN, plus the input when in == out channels.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int in_channels, int out_channels, int expansion);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  bool m_residual = false;
  torch::nn::Conv2d m_expand{nullptr};
  torch::nn::BatchNorm2d m_expand_bn{nullptr};
  torch::nn::Conv2d m_depthwise{nullptr};
  torch::nn::BatchNorm2d m_depthwise_bn{nullptr};
  torch::nn::Conv2d m_project{nullptr};
  torch::nn::BatchNorm2d m_project_bn{nullptr};
};

// "mobilenet": ir1 (in -> out) then ir2 (out -> out, residual).
class MobileBlockImpl : public UNetBlockImpl {
 public:
  MobileBlockImpl(int in_channels, int out_channels);
  torch::Tensor forward(const torch::Tensor& x) override;

 private:
  std::shared_ptr<InvertedResidualImpl> m_ir1;
  std::shared_ptr<InvertedResidualImpl> m_ir2;
};

// The block of `variant` ("vgg" or "mobilenet"; anything else is a bug).
std::shared_ptr<UNetBlockImpl> make_unet_block(const std::string& variant, int in_channels,
                                               int out_channels);

}  // namespace repro
