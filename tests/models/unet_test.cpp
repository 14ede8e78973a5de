// UNet: output shapes for both variants and several depths, readable parameter names.
#include "models/unet.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/utils.h>

#include <algorithm>
#include <ostream>

namespace repro {
namespace {

struct ShapeCase {
  std::string variant;
  int depth;
  int image_size;
};

void PrintTo(const ShapeCase& c, std::ostream* os) {
  *os << c.variant << " depth " << c.depth << " image " << c.image_size;
}

class UNetShapes : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(UNetShapes, LogitsHaveThreeClassesAtInputResolution) {
  const auto& param = GetParam();
  torch::manual_seed(0);
  UNetOptions options;
  options.variant = param.variant;
  options.width = 4;
  options.depth = param.depth;
  UNet model(options);
  auto images = at::rand({2, 3, param.image_size, param.image_size});
  model->train();
  auto logits = model->forward(images, at::make_generator<at::CPUGeneratorImpl>(1));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 3, param.image_size, param.image_size}));
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(model->forward(images).sizes(), logits.sizes());
}

INSTANTIATE_TEST_SUITE_P(Variants, UNetShapes,
                         ::testing::Values(ShapeCase{"vgg", 1, 16}, ShapeCase{"vgg", 2, 16},
                                           ShapeCase{"vgg", 3, 32}, ShapeCase{"mobilenet", 1, 16},
                                           ShapeCase{"mobilenet", 2, 16},
                                           ShapeCase{"mobilenet", 3, 32}),
                         [](const ::testing::TestParamInfo<ShapeCase>& test) {
                           return test.param.variant + "Depth" + std::to_string(test.param.depth);
                         });

std::vector<std::string> parameter_names(const UNet& model) {
  std::vector<std::string> names;
  for (const auto& item : model->named_parameters()) {
    names.push_back(item.key());
  }
  return names;
}

TEST(UNet, ParameterNamesAreReadableAndInForwardOrder) {
  UNetOptions options;
  options.width = 4;
  options.depth = 2;
  const auto names = parameter_names(UNet(options));
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "enc1.conv1.weight");
  EXPECT_EQ(names.back(), "head.bias");
  auto position = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  EXPECT_LT(position("enc2.bn2.weight"), position("bottleneck.conv1.weight"));
  EXPECT_LT(position("bottleneck.conv1.weight"), position("up2.weight"));
  EXPECT_LT(position("up2.weight"), position("dec2.conv1.weight"));
  EXPECT_LT(position("dec2.conv1.weight"), position("up1.weight"));
  EXPECT_LT(position("dec1.conv2.weight"), static_cast<long>(names.size()));
}

TEST(UNet, MobilenetUsesDepthwiseInvertedResiduals) {
  UNetOptions options;
  options.variant = "mobilenet";
  options.width = 4;
  options.depth = 1;
  UNet model(options);
  const auto params = model->named_parameters();
  const auto* depthwise = params.find("enc1.ir1.depthwise.weight");
  ASSERT_NE(depthwise, nullptr);
  EXPECT_EQ(depthwise->size(1), 1);  // one input channel per group
  EXPECT_NE(params.find("enc1.ir2.project_bn.weight"), nullptr);
  bool has_running_var = false;
  for (const auto& item : model->named_buffers()) {
    has_running_var |= item.key() == "enc1.ir1.expand_bn.running_var";
  }
  EXPECT_TRUE(has_running_var);
}

TEST(UNet, DropoutFollowsItsGenerator) {
  torch::manual_seed(0);
  UNetOptions options;
  options.width = 4;
  options.depth = 1;
  options.dropout = 0.5;
  UNet model(options);
  model->train();
  torch::NoGradGuard no_grad;
  auto images = at::rand({2, 3, 8, 8});
  auto a = model->forward(images, at::make_generator<at::CPUGeneratorImpl>(5));
  auto b = model->forward(images, at::make_generator<at::CPUGeneratorImpl>(5));
  auto c = model->forward(images, at::make_generator<at::CPUGeneratorImpl>(6));
  EXPECT_TRUE(at::equal(a, b));
  EXPECT_FALSE(at::equal(a, c));
}

TEST(UNet, BottleneckSide) {
  EXPECT_EQ(bottleneck_side(/*image_size=*/32, /*depth=*/3), 4);
  EXPECT_EQ(bottleneck_side(/*image_size=*/24, /*depth=*/4), 0);
}

}  // namespace
}  // namespace repro
