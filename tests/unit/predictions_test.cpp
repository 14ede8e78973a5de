// Predictions: base64, 2-bit packing, validation of what a worker wrote, and comparison.
#include "harness/trace/predictions.hpp"

#include <gtest/gtest.h>

#include "harness/util/base64.hpp"
#include "harness/util/error.hpp"

namespace repro {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// A 1x1 PNG's first bytes are enough for the reader's signature check.
const std::string k_png = base64_encode(
    std::vector<std::uint8_t>{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});

Predictions sample_predictions() {
  Predictions p;
  p.samples.push_back({"cat_1", 3, 2, {0, 1, 2, 2, 1, 0}});
  p.samples.push_back({"dog_2", 1, 1, {2}});
  p.images.push_back({"cat_1", k_png, k_png});
  return p;
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(bytes_of("")), "");
  EXPECT_EQ(base64_encode(bytes_of("f")), "Zg==");
  EXPECT_EQ(base64_encode(bytes_of("fo")), "Zm8=");
  EXPECT_EQ(base64_encode(bytes_of("foobar")), "Zm9vYmFy");
  auto back = base64_decode("Zm8=");
  ASSERT_TRUE(back);
  EXPECT_EQ(std::string(back->begin(), back->end()), "fo");
}

TEST(Base64, RejectsWhatIsNotCanonical) {
  EXPECT_FALSE(base64_decode("Zm8"));     // length
  EXPECT_FALSE(base64_decode("Z=8="));    // padding in the middle
  EXPECT_FALSE(base64_decode("Zm8*"));    // alphabet
  EXPECT_FALSE(base64_decode("Zm\n8="));  // line break
}

TEST(Predictions, RoundTripThroughJson) {
  const Predictions p = sample_predictions();
  const Predictions back =
      predictions_from_json(nlohmann::json::parse(to_json(p).dump()), JsonPath{"t.jsonl", "p"});
  EXPECT_EQ(back, p);
}

TEST(Predictions, RejectsABadClassOrSizeNamingTheField) {
  nlohmann::json j = nlohmann::json::parse(to_json(sample_predictions()).dump());
  j["samples"][1]["classes"] = base64_encode(std::vector<std::uint8_t>{3});  // class 3
  try {
    predictions_from_json(j, JsonPath{"t.jsonl", "p"});
    FAIL() << "accepted class 3";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p.samples[1].classes"), std::string::npos) << e.what();
  }
  j = nlohmann::json::parse(to_json(sample_predictions()).dump());
  j["samples"][0]["width"] = 5;  // 10 pixels need 3 packed bytes, 2 given
  EXPECT_THROW(predictions_from_json(j, JsonPath{"t.jsonl", "p"}), Error);
  j = nlohmann::json::parse(to_json(sample_predictions()).dump());
  j["samples"][0]["width"] = 100000;
  EXPECT_THROW(predictions_from_json(j, JsonPath{"t.jsonl", "p"}), Error);
  j = nlohmann::json::parse(to_json(sample_predictions()).dump());
  j["images"][0]["mask_png"] = base64_encode(bytes_of("GIF89a"));
  EXPECT_THROW(predictions_from_json(j, JsonPath{"t.jsonl", "p"}), Error);
  j = nlohmann::json::parse(to_json(sample_predictions()).dump());
  for (int i = 0; i < k_max_prediction_samples; ++i) {
    j["samples"].push_back(j["samples"][0]);
  }
  EXPECT_THROW(predictions_from_json(j, JsonPath{"t.jsonl", "p"}), Error);
}

TEST(Predictions, CountsPixelsWithAnotherClassPerSample) {
  const Predictions a = sample_predictions();
  Predictions b = a;
  b.samples[0].classes[1] = 0;
  b.samples[0].classes[4] = 2;
  b.samples.pop_back();  // dog_2 missing: not compared
  std::optional<PredictionChange> change = compare_predictions(a, b);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->pixels, 6);
  EXPECT_EQ(change->differing, 2);
  EXPECT_EQ(change->differing_by_sample, (std::vector<std::int64_t>{2, -1}));
  EXPECT_EQ(compare_predictions(a, a)->differing, 0);
  EXPECT_FALSE(compare_predictions(a, Predictions{}));
}

}  // namespace
}  // namespace repro
